import GenreML

/// The models GenreKit trains, by the names the command line knows: the classic estimators and
/// the networks of `NetworkArchitecture`.
public enum ModelKind: String, CaseIterable, Codable, Sendable {
    case naiveBayes = "naive-bayes"
    case knn
    case logistic
    case linearSVM = "linear-svm"
    case rbfSVM = "rbf-svm"
    case tree
    case forest
    case xgboost
    case mlp
    case edgeCNN = "edge-cnn"
    case fcn5
    case crnn
    case temporalCNN = "temporal-cnn"
    case cnnLSTM = "cnn-lstm"
    case mobileNetV2 = "mobilenet-v2"
    case efficientNetB0 = "efficientnet-b0"
    case musicnnFineTune = "musicnn-fine-tune"

    /// The feature-based estimators (`--model all`): every one of them takes any feature rows.
    public static let classic: [ModelKind] = [.naiveBayes, .knn, .logistic, .linearSVM, .rbfSVM, .tree, .forest, .xgboost]

    /// A readable name for reports.
    public var title: String {
        switch self {
        case .naiveBayes: "Gaussian naive Bayes"
        case .knn: "k-nearest neighbours (k=5)"
        case .logistic: "logistic regression"
        case .linearSVM: "linear SVM (SGD)"
        case .rbfSVM: "RBF SVM (libsvm)"
        case .tree: "decision tree"
        case .forest: "random forest (100 trees)"
        case .xgboost: "gradient-boosted trees (XGBoost)"
        case .mlp: "multilayer perceptron (256-128, GenreNN)"
        case .edgeCNN: "edge CNN on log-mel patches (GenreNN)"
        case .fcn5: "FCN-5, fully convolutional (Choi, Fazekas & Sandler 2016; GenreNN)"
        case .crnn: "CRNN, convolutional recurrent (Choi, Fazekas, Sandler & Cho 2017; GenreNN)"
        case .temporalCNN: "temporal CNN with mean and max pooling over time (after Dieleman & Schrauwen 2014; GenreNN)"
        case .cnnLSTM: "CNN-LSTM with a time-weighted probability average (GenreNN)"
        case .mobileNetV2: "MobileNetV2, inverted residuals (Sandler, Howard, Zhu, Zhmoginov & Chen 2018; GenreNN)"
        case .efficientNetB0: "EfficientNet-B0, MBConv with squeeze-and-excitation and swish (Tan & Le 2019; from scratch, no pre-trained weights here; GenreNN)"
        case .musicnnFineTune: "MSD musicnn fine-tuned (GenreNN)"
        }
    }

    /// The network behind the kind, for the networks GenreNN trains.
    public var architecture: NetworkArchitecture? { NetworkArchitecture(rawValue: rawValue) }

    /// The feature set the kind takes, by default and only: its networks' log-mel patches, musicnn's
    /// input for the fine-tuned musicnn; nil for the kinds that take any feature rows.
    public var inputSet: String? {
        self == .musicnnFineTune ? MusicnnPatchFeatureSet.setName : architecture?.inputSet?.name
    }

    /// The windows, in seconds, audio is cut into for the kind when `--segment-seconds` is not given:
    /// 3 s for the kinds on patches (their patches are 3 s), whose windows are then combined per
    /// song; nil (whole files) for the others.
    public var defaultSegmentSeconds: Double? { inputSet == nil ? nil : 3 }

    /// Whether the pipeline standardises the features first: a pre-trained network takes its input as
    /// it was trained on, and the image networks scale each patch's decibels to [-1, 1] themselves.
    var standardisesFeatures: Bool { self != .musicnnFineTune && architecture?.isWidthScaled != true }
}

/// A model kind with its settings, as `train` and `evaluate` fit it fold after fold.
public struct ModelChoice: Sendable {
    public let kind: ModelKind
    /// How `musicnn-fine-tune` trains.
    public let fineTuning: FineTuning
    /// The networks' dropout rate; nil for each network's own (`NetworkArchitecture.defaultDropout`).
    public let dropout: Float?
    /// How the networks train, where it is not each one's `NetworkArchitecture.defaultTraining`.
    public let training: TrainingChoices
    /// The networks' SpecAugment masks and mixup; nil for none.
    public let batchAugmentation: BatchAugmentation?
    /// The image networks' width multiplier; nil for `NetworkArchitecture.defaultWidthMultiplier`.
    public let widthMultiplier: Float?
    /// `mobilenet-v2` from ImageNet with this many blocks frozen; nil from scratch.
    public let imageNetFrozenBlocks: Int?
    /// Hyper-parameters chosen by name (`genre tune`'s trials); they win over `fineTuning`,
    /// `dropout` and `training`.
    public private(set) var settings: ModelSettings
    /// Receives the progress of each epoch while a network trains; nil keeps training silent.
    public let progress: (@Sendable (EpochProgress) -> Void)?

    public init(_ kind: ModelKind, fineTuning: FineTuning = .init(), dropout: Float? = nil, training: TrainingChoices = .init(),
                batchAugmentation: BatchAugmentation? = nil, widthMultiplier: Float? = nil, imageNetFrozenBlocks: Int? = nil,
                settings: ModelSettings = .init(), progress: (@Sendable (EpochProgress) -> Void)? = nil) {
        self.kind = kind
        self.fineTuning = fineTuning
        self.dropout = dropout
        self.training = training
        self.batchAugmentation = batchAugmentation
        self.widthMultiplier = widthMultiplier
        self.imageNetFrozenBlocks = imageNetFrozenBlocks
        self.settings = settings
        self.progress = progress
    }

    /// The same kind and options with `settings` instead.
    public func with(_ settings: ModelSettings) -> ModelChoice {
        var choice = self
        choice.settings = settings
        return choice
    }

    /// The untrained model, its random choices drawn from `seed`, with its hyper-parameters as set
    /// and their defaults otherwise (scikit-learn's and xgboost's for the classic ones). The
    /// settings must have passed `kind.check`.
    public func make(seed: UInt64) -> AnyClassifier {
        // A parameter's number, nil for a named value (gamma "scale", max-depth "none").
        let number = { (name: String) in settings.number(name, of: kind) }
        let whole = { (name: String) in number(name).map { Int($0) } }
        // What the command line's options chose, unless the settings name the parameter.
        let chosen = { (name: String, option: Double?) in settings.values[name] == nil ? option : number(name) }
        let model: any Classifier = switch kind {
        case .naiveBayes: GaussianNaiveBayes(varianceSmoothing: number("var-smoothing")!)
        case .knn: KNearestNeighbors(neighbors: whole("k")!,
                                     weighting: settings.value("weights", of: kind) == .name("distance") ? .distance : .uniform)
        case .logistic: LogisticRegression(inverseRegularization: number("C")!)
        case .linearSVM: LinearSVM(alpha: number("alpha")!, seed: seed)
        case .rbfSVM: SupportVectorMachine(cost: number("C")!, gamma: number("gamma").map { .fixed($0) } ?? .scale,
                                           seed: UInt32(truncatingIfNeeded: seed))
        case .tree: DecisionTree(growth: TreeGrowth(maxDepth: whole("max-depth"), minSamplesLeaf: whole("min-samples-leaf")!), seed: seed)
        case .forest: RandomForest(treeCount: whole("trees")!,
                                   growth: TreeGrowth(maxDepth: whole("max-depth"), minSamplesLeaf: whole("min-samples-leaf")!, maxFeatures: .sqrt),
                                   seed: seed)
        case .xgboost: GradientBoostedTrees(rounds: whole("rounds")!, maxDepth: whole("max-depth")!, learningRate: number("learning-rate")!,
                                            subsample: number("subsample")!, seed: Int(truncatingIfNeeded: seed))
        case .mlp, .edgeCNN, .fcn5, .crnn, .temporalCNN, .cnnLSTM, .mobileNetV2, .efficientNetB0:
            NeuralClassifier(architecture: kind.architecture!, training: networkTraining.applied(to: kind.architecture!.defaultTraining),
                             dropout: chosen("dropout", dropout.map(Double.init)).map(Float.init),
                             widthMultiplier: widthMultiplier, imageNetFrozenBlocks: imageNetFrozenBlocks,
                             seed: seed, augmentation: batchAugmentation, progress: progress)
        case .musicnnFineTune:
            FineTunedMusicnn(settings: FineTuning(
                frozenBlocks: Int(chosen("frozen-blocks", Double(fineTuning.frozenBlocks))!),
                pretrainedRateScale: Float(chosen("pretrained-rate", Double(fineTuning.pretrainedRateScale))!),
                epochs: Int(chosen("epochs", Double(fineTuning.epochs))!)), seed: seed, progress: progress)
        }
        return AnyClassifier(kind, model)
    }

    /// The command line's training choices with the settings' in their place.
    private var networkTraining: TrainingChoices {
        var training = self.training
        let given = { (name: String) in settings.values[name].flatMap { _ in settings.number(name, of: kind) } }
        if let epochs = given("epochs") { training.epochs = Int(epochs) }
        if let batchSize = given("batch-size") { training.batchSize = Int(batchSize) }
        if let rate = given("learning-rate") { training.learningRate = Float(rate) }
        if case .name(let name)? = settings.values["optimizer"] { training.optimizer = OptimizerKind(rawValue: name) }
        return training
    }
}

/// Any trained or untrained model of a kind, saved and loaded as `{"<saved name>": {"_0": <model>}}`
/// (the form bundles have always had).
public struct AnyClassifier: Codable, Sendable {
    public let kind: ModelKind
    private var model: any Classifier

    init(_ kind: ModelKind, _ model: any Classifier) {
        self.kind = kind
        self.model = model
    }

    public var classifier: any Classifier { model }

    /// The name a bundle saves a kind's model under: its case of the enum bundles were first written with.
    private static func savedName(of kind: ModelKind) -> String {
        switch kind {
        case .naiveBayes: "naiveBayes"
        case .linearSVM: "linearSVM"
        case .rbfSVM: "rbfSVM"
        case .mlp, .edgeCNN, .fcn5, .crnn, .temporalCNN, .cnnLSTM, .mobileNetV2, .efficientNetB0: "neural"
        case .musicnnFineTune: "fineTuned"
        case .knn, .logistic, .tree, .forest, .xgboost: kind.rawValue
        }
    }

    private struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first,
              let kind = ModelKind.allCases.first(where: { Self.savedName(of: $0) == key.stringValue }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "not one of the models GenreKit knows (\(Set(ModelKind.allCases.map(Self.savedName)).sorted().joined(separator: ", ")))"))
        }
        let payload = try container.nestedContainer(keyedBy: Key.self, forKey: key).superDecoder(forKey: Key(stringValue: "_0"))
        switch kind {
        case .naiveBayes: model = try GaussianNaiveBayes(from: payload)
        case .knn: model = try KNearestNeighbors(from: payload)
        case .logistic: model = try LogisticRegression(from: payload)
        case .linearSVM: model = try LinearSVM(from: payload)
        case .rbfSVM: model = try SupportVectorMachine(from: payload)
        case .tree: model = try DecisionTree(from: payload)
        case .forest: model = try RandomForest(from: payload)
        case .xgboost: model = try GradientBoostedTrees(from: payload)
        case .mlp, .edgeCNN, .fcn5, .crnn, .temporalCNN, .cnnLSTM, .mobileNetV2, .efficientNetB0:
            model = try NeuralClassifier(from: payload)
        case .musicnnFineTune: model = try FineTunedMusicnn(from: payload)
        }
        // The networks share one saved name; the architecture tells them apart.
        self.kind = (model as? NeuralClassifier)?.architecture.kind ?? kind
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        var payload = container.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: Self.savedName(of: kind)))
        try payload.encode(model, forKey: Key(stringValue: "_0"))
    }

    /// Fits the model; `groups` (one per row) reach a model that holds rows out, and keep a group's rows together.
    mutating func fit(_ x: RowMatrix, labels: [Int], groups: [Int], classCount: Int) throws(ModelError) {
        if var grouped = model as? any GroupedFitting {
            try grouped.fit(x, labels: labels, groups: groups, classCount: classCount)
            model = grouped
        } else {
            try model.fit(x, labels: labels, classCount: classCount)
        }
    }

    /// The epochs of the last training, for the networks.
    public var history: TrainingHistory? {
        (model as? NeuralClassifier)?.history ?? (model as? FineTunedMusicnn)?.history
    }

    func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix { try model.probabilities(x) }
}

/// Standardisation (except for a pre-trained network's input), optional PCA, then a classifier: what
/// is fitted on training rows and applied, unchanged, to every row scored or classified later.
public struct ModelPipeline: Codable, Sendable {
    public private(set) var scaler: StandardScaler?
    public private(set) var pca: PCA?
    public private(set) var classifier: AnyClassifier
    public let classCount: Int

    public init(_ model: ModelChoice, classCount: Int, pcaComponents: Int? = nil, seed: UInt64 = 0) {
        scaler = model.kind.standardisesFeatures ? StandardScaler() : nil
        pca = pcaComponents.map { PCA(components: $0) }
        classifier = model.make(seed: seed)
        self.classCount = classCount
    }

    /// Each step of a saved pipeline is fitted and takes the rows the one before gives, and the
    /// classifier gives `classCount` columns: checked when it is read, before anything is sized by them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scaler = try container.decodeIfPresent(StandardScaler.self, forKey: .scaler)
        pca = try container.decodeIfPresent(PCA.self, forKey: .pca)
        classifier = try container.decode(AnyClassifier.self, forKey: .classifier)
        classCount = try container.decode(Int.self, forKey: .classCount)
        guard columns != nil else {
            let shapes = steps.map { "\($0.name): \($0.shape.map { "\($0.columns) -> \($0.outputs) columns" } ?? "not fitted")" }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "its steps (\(shapes.joined(separator: ", "))) do not lead from one to the next and to its \(classCount) classes"))
        }
    }

    /// The width of the rows the fitted pipeline takes; nil before `fit`, or when its steps do not
    /// fit together.
    public var columns: Int? {
        var width = classCount
        for step in steps.reversed() {
            guard let shape = step.shape, shape.outputs == width else { return nil }
            width = shape.columns
        }
        return width
    }

    /// The steps present, in order, with their fitted shapes.
    private var steps: [(name: String, shape: FittedShape?)] {
        (scaler.map { [("standardisation", $0.fittedShape)] } ?? []) + (pca.map { [("PCA", $0.fittedShape)] } ?? [])
            + [(classifier.kind.rawValue, classifier.classifier.fittedShape)]
    }

    /// Fits every step on the rows of `x`; `groups` gives each row's group (its song, or artist),
    /// which a network's validation part keeps whole; nil makes every row its own group.
    public mutating func fit(_ x: RowMatrix, labels: [Int], groups: [Int]? = nil) throws(ModelError) {
        var features = x
        if var scaler {
            try scaler.fit(x)
            features = try scaler.transform(x)
            self.scaler = scaler
        } else if pca != nil {
            throw .invalidParameter("\(classifier.kind.rawValue) takes its input as it is: PCA does not apply")
        }
        if var fittedPCA = pca {
            try fittedPCA.fit(features)
            features = try fittedPCA.transform(features)
            pca = fittedPCA
        }
        try classifier.fit(features, labels: labels, groups: groups ?? Array(0 ..< x.rows), classCount: classCount)
    }

    /// Class probabilities of each row of `x` (columns as at training).
    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        var features = try scaler?.transform(x) ?? x
        if let pca { features = try pca.transform(features) }
        return try classifier.probabilities(features)
    }
}
