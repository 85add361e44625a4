import ArgumentParser
import Foundation
import GenreKit

/// `--files-from` and `--resume`: audio paths read as they come (one per line, from a file or
/// standard input), and a JSON lines output that a killed run continues.
struct InputListOptions: ParsableArguments {
    @Option(name: .customLong("files-from"), help: ArgumentHelp(
        "Also read audio paths from this file, one per line, as they come (- for standard input); memory stays flat for any count.",
        valueName: "file"))
    var filesFrom: String?

    @Option(help: ArgumentHelp(
        "Continue a JSON lines run (--format jsonl) whose output is this file: paths it already answers (or failed) are skipped, new lines are appended.",
        valueName: "file"))
    var resume: String?

    /// Checks that need the verb's own options; `paths` are the command line's.
    func validate(paths: [String], format: String, output: String?) throws {
        if paths.isEmpty && filesFrom == nil { throw ValidationError("Missing expected argument '<paths> ...' (or --files-from <file>)") }
        guard let resume else { return }
        if format != "jsonl" { throw ValidationError("--resume continues JSON lines: add --format jsonl") }
        if let output, OutputPath.target(output) != OutputPath.target(resume) {
            throw ValidationError("--resume \(resume) is the output already; leave --output out")
        }
        try OutputPath.checkFile(resume, option: "--resume")
        try OutputPath.checkNotAmong(paths + [filesFrom].compactMap { $0 }, path: resume, option: "--resume")
    }
}

/// One input as the verbs see it: a path to analyse, or a path that cannot be.
struct ListedInput: Sendable {
    let path: String
    let problem: InputProblem?
}

/// The inputs of a run, handed out one at a time: the command line's (folders searched), then the
/// lines of `--files-from` as they are read, less the paths a resumed output already answers.
final class InputList {
    /// How many inputs there are, when known before reading a list.
    let total: Int?
    private var pending: [ListedInput]
    private var next = 0
    private let lines: LineReader?
    private let answered: Set<String>

    init(paths: [String], options: InputListOptions) throws {
        let answered = try options.resume.map(JSONLinesOutput.answeredPaths) ?? []
        self.answered = answered
        lines = try options.filesFrom.map(LineReader.init)
        pending = Self.expand(paths).filter { !answered.contains($0.path) }
        total = options.filesFrom == nil ? pending.count : nil
    }

    /// The next input, or nil when there are no more.
    func pull() -> ListedInput? {
        while true {
            if next < pending.count {
                defer { next += 1 }
                return pending[next]
            }
            pending = []
            next = 0
            guard let line = lines?.next() else { return nil }
            pending = Self.expand([line]).filter { !answered.contains($0.path) }
        }
    }

    private static func expand(_ paths: [String]) -> [ListedInput] {
        let inputs = AudioInputs(paths: paths)
        return inputs.problems.map { ListedInput(path: $0.path, problem: $0) }
            + inputs.files.map { ListedInput(path: $0, problem: nil) }
    }
}

/// Lines of a file or of standard input (`-`), read one at a time; blank lines are skipped and a
/// trailing carriage return is dropped.
final class LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0

    init(_ path: String) throws {
        guard let opened = path == "-" ? fdopen(STDIN_FILENO, "r") : fopen(path, "r") else {
            throw ValidationError("--files-from \(path) cannot be read (\(String(cString: strerror(errno)).lowercased()))")
        }
        file = opened
    }

    deinit {
        free(buffer)
        fclose(file)
    }

    func next() -> String? {
        while getline(&buffer, &capacity, file) >= 0, let buffer {
            var line = String(cString: buffer)
            while line.last == "\n" || line.last == "\r" { line.removeLast() }
            if !line.isEmpty { return line }
        }
        return nil
    }
}

/// A JSON lines output written line by line as inputs finish, so that a killed run loses at most
/// the line being written, and `--resume` can continue it.
enum JSONLinesOutput {
    /// The line that says an input failed.
    static func errorLine(path: String, message: String) throws -> String {
        try jsonText(["path": path, "error": message], line: true)
    }

    /// The paths a JSON lines output answers already. A last line cut short by a kill is removed
    /// from the file; a missing file answers none (the first run).
    static func answeredPaths(in path: String) throws -> Set<String> {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--resume \(path) cannot be read")
        }
        let whole = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.startIndex
        if whole < data.endIndex { try truncate(path, to: whole - data.startIndex) }
        var answered: Set<String> = []
        for (number, line) in data[..<whole].split(separator: UInt8(ascii: "\n")).enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let answeredPath = object["path"] as? String else {
                throw ValidationError("--resume \(path): line \(number + 1) is not a line GenreKit wrote (no \"path\"); "
                    + "name the output of an earlier run with --format jsonl")
            }
            answered.insert(answeredPath)
        }
        return answered
    }

    private static func truncate(_ path: String, to length: Int) throws {
        guard Foundation.truncate(path, off_t(length)) == 0 else {
            throw ValidationError("--resume \(path) cannot be repaired (\(String(cString: strerror(errno)).lowercased()))")
        }
    }
}
