import ArgumentParser
import GenreKit

@main
struct Genre: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genre",
        abstract: "Music genre classification: features, models and evaluation.",
        subcommands: [])
}
