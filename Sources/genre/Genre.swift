import ArgumentParser
import Foundation
import GenreKit

@main
struct Genre: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genre",
        abstract: "Music genre classification: features, models and evaluation.",
        version: GenreKitVersion.current,
        subcommands: [Classify.self, Tags.self, Features.self, Train.self, Evaluate.self, Tune.self, Plot.self, Serve.self, Library.self, Similar.self])

    /// Exit status: 0 when every input succeeded, 1 when some failed, 2 for a usage error.
    static func main() async {
        Heap.keepFreedMemory()
        var parsed: ParsableCommand.Type = Genre.self
        do {
            try refuseUnknownHelpTopic(Array(CommandLine.arguments.dropFirst()))
            var command = try parseAsRoot()
            parsed = type(of: command)
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                // A check that needed the data or the bundle fails after parsing; it is shown as the
                // parser shows its own, with the usage of the verb that was run.
                let message = error is ValidationError && ObjectIdentifier(parsed) != ObjectIdentifier(Genre.self)
                    ? "Error: \(error)\nUsage: \(usageString(for: parsed))\n  See 'genre \(parsed._commandName) --help' for more information."
                    : fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
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

    /// `genre help nosuch` would show the root's help and succeed: the parser skips names it does
    /// not know there.
    static func refuseUnknownHelpTopic(_ arguments: [String]) throws {
        guard arguments.first == "help" else { return }
        var path = "genre"
        var subcommands: [ParsableCommand.Type] = configuration.subcommands
        for name in arguments.dropFirst() {
            if name.hasPrefix("-") { continue }
            let names: [String] = subcommands.map { command in command._commandName }
            guard let index = names.firstIndex(of: name) else {
                let known = names.isEmpty ? "" : "; its commands are " + names.joined(separator: ", ")
                throw ValidationError("'\(path)' has no command '\(name)'" + known)
            }
            path += " " + name
            subcommands = subcommands[index].configuration.subcommands
        }
    }
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
