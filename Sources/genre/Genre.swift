import ArgumentParser
import Foundation
import GenreKit

@main
struct Genre: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genre",
        abstract: "Music genre classification: features, models and evaluation.",
        subcommands: [Classify.self, Tags.self, Features.self, Train.self, Evaluate.self])

    /// Exit status: 0 when every input succeeded, 1 when some failed, 2 for a usage error.
    static func main() async {
        Heap.keepFreedMemory()
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            // A command's own error (a damaged model, an unreadable dataset): one line, status 1.
            if code == .failure, !(error is ExitCode) {
                report("\(error)")
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}

/// Options every batch command shares.
struct BatchOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Write results to this file instead of standard output.")
    var output: String?

    @Flag(name: .shortAndLong, help: "No progress display on stderr.")
    var quiet = false

    @Option(help: "Files analysed at once (default: one per core).")
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    }

    /// Writes `text` to `--output` (atomically: a reader never sees half a file) or to stdout.
    func emit(_ text: String) throws {
        if let output {
            try write(text, to: output)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

struct OutputError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot write \(path): \(reason)" }
}

/// One line per problem on stderr, prefixed with the program's name.
func report(_ message: String) {
    FileHandle.standardError.write(Data("genre: \(message)\n".utf8))
}

/// An error's line, naming the file unless the error's own text already does.
func describe(_ error: any Error, path: String) -> String {
    let text = "\(error)"
    return text.contains(path) ? text : "\(path): \(text)"
}
