import ArgumentParser
import Foundation
import GenreKit

/// How the networks train: epochs, batches, optimizer and the validation part that drives the best
/// epoch's weights, early stopping and learning-rate cuts. Each option left out takes the network's
/// own default (`NetworkArchitecture.defaultTraining`).
struct TrainingOptions: ParsableArguments {
    private static let defaults = NetworkArchitecture.allCases.map { ($0.rawValue, $0.defaultTraining) }

    private static func byNetwork<Value>(_ setting: (TrainingSettings) -> Value) -> String {
        defaults.map { "\($0.0) \(setting($0.1))" }.joined(separator: ", ")
    }

    @Option(help: "The most epochs of training; early stopping may end it sooner (default: \(byNetwork(\.epochs))).")
    var epochs: Int?

    @Option(help: "Examples per training step (default: \(NetworkArchitecture.mlp.defaultTraining.batchSize)).")
    var batchSize: Int?

    @Option(help: ArgumentHelp("The learning rate at the start, annealed along a cosine over the epochs (default: \(NetworkArchitecture.mlp.defaultTraining.learningRate)).",
                               valueName: "rate"))
    var learningRate: Float?

    @Option(help: "The optimizer (default: \(NetworkArchitecture.mlp.defaultTraining.optimizer.rawValue)).")
    var optimizer: OptimizerKind?

    @Option(help: ArgumentHelp("L2 weight decay (default: 0; adamw 0.01).", valueName: "decay"))
    var weightDecay: Float?

    @Option(help: ArgumentHelp("""
        The share of the training tracks held out to validate each epoch, whole songs and artists at a time; \
        the weights of the epoch with the lowest validation loss are kept. 0 holds none out and keeps the \
        last epoch's (default: \(NetworkArchitecture.mlp.defaultTraining.validationFraction)).
        """, valueName: "fraction"))
    var validationFraction: Double?

    @Option(help: ArgumentHelp("""
        Epochs without a lower validation loss before training stops; the learning rate halves after half as many \
        (default: \(byNetwork(\.patience))).
        """, valueName: "epochs"))
    var patience: Int?

    var choices: TrainingChoices {
        TrainingChoices(epochs: epochs, batchSize: batchSize, learningRate: learningRate, optimizer: optimizer,
                        weightDecay: weightDecay, validationFraction: validationFraction, patience: patience)
    }

    func validate() throws {
        if let problem = choices.problem { throw ValidationError(problem) }
        if patience != nil, validationFraction == 0 {
            throw ValidationError("--patience counts epochs without a better validation loss, and --validation-fraction 0 "
                + "holds no validation part out; leave out one or the other")
        }
    }

    /// Refuses the options unless one of `kinds` is a network they train.
    func checkApply(to kinds: [ModelKind]) throws {
        guard !choices.isEmpty, !kinds.contains(where: { $0.architecture != nil }) else { return }
        let given = [("--epochs", epochs != nil), ("--batch-size", batchSize != nil), ("--learning-rate", learningRate != nil),
                     ("--optimizer", optimizer != nil), ("--weight-decay", weightDecay != nil),
                     ("--validation-fraction", validationFraction != nil), ("--patience", patience != nil)]
        let option = given.first(where: \.1)!.0
        let instead = kinds.contains(.musicnnFineTune) ? " (musicnn-fine-tune has --fine-tuning-epochs)" : ""
        throw ValidationError("\(option) applies to the networks (--model \(NetworkArchitecture.allCases.map(\.rawValue).joined(separator: ", ")))\(instead); leave it out")
    }
}

extension OptimizerKind: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        [
            "adam": "Adam (Kingma & Ba), weight decay added to the gradient",
            "adamw": "AdamW, weight decay apart from the gradient (Loshchilov & Hutter)",
            "sgd": "stochastic gradient descent with momentum 0.9",
        ]
    }
}

/// Shows a network's training on stderr as Keras does: the epoch's line redrawn in place as steps
/// finish (at most ten times a second, cut to the terminal's width so that it stays one line),
/// then kept whole once the epoch has been validated.
enum TrainingProgressLine {
    static func printer(for kind: ModelKind) -> @Sendable (EpochProgress) -> Void {
        let drawn = Locked(ContinuousClock.now - .seconds(1))
        let width = terminalColumns - 1
        return { progress in
            let line = "\(kind.rawValue) \(progress.line)"
            guard progress.record == nil else {
                return FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + "\n").utf8))
            }
            let now = ContinuousClock.now
            let due = drawn.withLock { last in
                guard now - last >= .milliseconds(100) else { return false }
                last = now
                return true
            }
            if due { FileHandle.standardError.write(Data(("\r\u{1B}[K" + String(line.prefix(width))).utf8)) }
        }
    }

    /// The width of the terminal stderr shows on; 80 when it does not say.
    private static var terminalColumns: Int {
        var size = winsize()
        return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }
}
