import ArgumentParser
import Foundation
import GenreKit

// The options several verbs share, each defined and validated here once (DESIGN.md: one word, one
// meaning). A verb offers only the groups that apply to it.

/// `--set` and `--segment-seconds`: which features audio becomes, and over which windows.
struct FeatureOptions: ParsableArguments {
    static let defaultSet = "gtzan57"

    /// nil when not given, so that a verb can refuse it where the features are already fixed.
    @Option(name: .customLong("set"), help: ArgumentHelp(
        "The feature set computed from the audio (default: the model's own input, see --model; else \(defaultSet)): \(FeatureCatalog.summary).",
        valueName: "set"))
    var setName: String?

    @Option(help: ArgumentHelp(
        "Cut the audio into consecutive windows of this many seconds (e.g. 3), one row of features each (default: 3 for the models on log-mel patches, else whole files).",
        valueName: "seconds"))
    var segmentSeconds: Double?

    func validate() throws {
        if let setName {
            do { _ = try FeatureCatalog.named(setName) } catch { throw ValidationError("\(error)") }
        }
        if let segmentSeconds, !(segmentSeconds > 0 && segmentSeconds.isFinite) {
            throw ValidationError("--segment-seconds must be a positive number of seconds, got \(segmentSeconds)")
        }
    }

    /// --set, else the input of the `models` that take one input only (edge-cnn, fcn5, ...), else gtzan57.
    func setName(for models: [ModelKind]) -> String {
        setName ?? models.lazy.compactMap(\.inputSet).first ?? Self.defaultSet
    }

    func featureSet(for models: [ModelKind] = []) throws -> any FeatureSet { try FeatureCatalog.named(setName(for: models)) }

    /// --segment-seconds, else the `models`' own windows (3 s for those on patches), else none.
    func segmentSeconds(for models: [ModelKind]) -> Double? {
        segmentSeconds ?? models.lazy.compactMap(\.defaultSegmentSeconds).first
    }

    func segmenter(for models: [ModelKind] = []) throws -> Segmenter? {
        try segmentSeconds(for: models).map { try Segmenter(segmentSeconds: $0) }
    }

    /// Refuses a set that one of `models` cannot take, and models that take different sets: a usage
    /// error that names the set to use.
    func checkSet(for models: [ModelKind]) throws {
        let bound = models.compactMap { kind in kind.inputSet.map { (kind: kind, set: $0) } }
        if Set(bound.map(\.set)).count > 1 {
            throw ValidationError(bound.map { "--model \($0.kind.rawValue) takes --set \($0.set)" }.joined(separator: ", ")
                + ": evaluate them in separate runs")
        }
        let name = setName(for: models).lowercased()
        if let (kind, input) = bound.first, name != input {
            throw ValidationError("--model \(kind.rawValue) takes its own input, --set \(input), not \(name); "
                + "give --set \(input) or leave --set out")
        }
    }
}

/// `--jobs`, `--quiet` and `--max-duration`: how work runs, and how much one file may make.
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Files (or cross-validation folds) worked on at once (default: one per core).", valueName: "count"))
    var jobs: Int?

    @Flag(name: .shortAndLong, help: "No progress display on stderr.")
    var quiet = false

    @Option(name: .customLong("max-duration"), help: ArgumentHelp(
        "Refuse audio files longer than this, in seconds or with a unit (90m, 5h); a header claiming more is refused before decoding.",
        valueName: "duration"))
    var maxDuration: DurationLimit = DurationLimit(seconds: AudioDecoder.defaultMaxDurationSeconds)

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    }
}

/// A duration given as seconds ("5400") or with a unit ("90m", "1.5h", "30s").
struct DurationLimit: ExpressibleByArgument {
    let seconds: Double

    init(seconds: Double) {
        self.seconds = seconds
    }

    init?(argument: String) {
        let units: [(suffix: String, seconds: Double)] = [("h", 3600), ("min", 60), ("m", 60), ("s", 1)]
        let unit = units.first { argument.hasSuffix($0.suffix) }
        guard let value = Double(argument.dropLast(unit?.suffix.count ?? 0)), value > 0, (value * (unit?.seconds ?? 1)).isFinite
        else { return nil }
        seconds = value * (unit?.seconds ?? 1)
    }

    /// "3h", "90m", "45s": the shortest way to write it back.
    var defaultValueDescription: String {
        if seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return String(format: "%gs", seconds)
    }
}

/// The values of `--format`, by the same names in every verb; each verb's enum lists the ones that
/// make sense for it, so help and completion offer exactly those.
protocol OutputFormat: ExpressibleByArgument, CaseIterable, RawRepresentable<String> {
    static var standard: Self { get }
}

extension OutputFormat {
    public static var allValueDescriptions: [String: String] {
        let meanings = [
            "text": "for reading",
            "json": "one JSON document, written when every input is done",
            "jsonl": "one JSON object per line, written as each input is done",
            "csv": "comma-separated values with a header row",
            "markdown": "a table with one row per model",
        ]
        return Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, meanings[$0.rawValue]!) })
    }
}

/// What `classify` and `tags` write.
enum PredictionFormat: String, OutputFormat {
    case text, json, jsonl, csv
    static let standard = text
}

/// What `features` writes.
enum TableFormat: String, OutputFormat {
    case csv, json, jsonl
    static let standard = csv
}

/// What `evaluate` writes.
enum ReportFormat: String, OutputFormat {
    case text, json, markdown
    static let standard = text
}

/// `--format`.
struct FormatOptions<Format: OutputFormat>: ParsableArguments {
    @Option(help: "How results are written.")
    var format: Format = .standard
}

/// What a verb's `--output` is.
protocol OutputRole {
    static var help: String { get }
    /// What the file holds, when the verb cannot do without it; nil when standard output will do.
    static var required: String? { get }
}

/// Results that otherwise go to standard output.
enum ResultsOutput: OutputRole {
    static let help = "Write the results to this file (replaced atomically; a link keeps pointing at it) instead of standard output; - is standard output."
    static let required: String? = nil
}

/// The model bundle `train` makes.
enum BundleOutput: OutputRole {
    static let help = "The model bundle to write (required)."
    static let required: String? = "the model bundle to write"
}

/// `-o`/`--output`: checked before any work starts, so a long run never ends unable to save.
struct OutputOptions<Role: OutputRole>: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp(Role.help, valueName: "file"))
    var output: String?

    func validate() throws {
        if let required = Role.required, file == nil {
            throw ValidationError("Missing expected argument '--output <file>', \(required)")
        }
        if let file { try OutputPath.checkFile(file, option: "--output") }
    }

    /// The file to write: nil for standard output (no --output, or `-`). A link is written through.
    var file: String? { output == "-" ? nil : output.map(OutputPath.target) }

    /// Where results go as they come: standard output at once, or `--output` when all is done.
    func stream() -> ResultStream { ResultStream(path: file) }

    /// Where JSON lines go: standard output, or `--output` (or `--resume`'s file, appended to)
    /// written line by line as inputs finish.
    func lineStream(resume: String?) throws -> ResultStream {
        guard let path = resume.map(OutputPath.target) ?? file else { return ResultStream(path: nil) }
        return try ResultStream(appendingTo: path, startFresh: resume == nil)
    }
}

/// Results written as they come: to standard output at once, or kept for a file written atomically
/// at the end (a reader never sees half a file, and a run where every input failed leaves an
/// existing file alone), or appended to a file line by line (JSON lines, which a killed run leaves
/// whole but for the last line, and `--resume` continues).
final class ResultStream {
    let path: String?
    private var kept = ""
    private let lines: FileHandle?
    /// The first error writing a line (a full disk), thrown by `finish`.
    private var lineError: (any Error)?

    init(path: String?) {
        self.path = path
        lines = nil
    }

    init(appendingTo path: String, startFresh: Bool) throws {
        self.path = path
        if startFresh || !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw OutputError(path: path, reason: String(cString: strerror(errno)).lowercased())
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw OutputError(path: path, reason: String(cString: strerror(errno)).lowercased())
        }
        handle.seekToEndOfFile()
        lines = handle
    }

    func write(_ text: String) {
        if let lines {
            do { try lines.write(contentsOf: Data(text.utf8)) } catch { lineError = lineError ?? error }
        } else if path == nil {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            kept += text
        }
    }

    /// Writes the file when some input succeeded.
    func finish(anySucceeded: Bool) throws {
        if let lines {
            try lines.close()
            if let lineError, let path { throw OutputError(path: path, reason: sentence(for: lineError)) }
        } else if let path, anySucceeded {
            try writeFile(kept, to: path)
        }
    }
}

/// The checks every output path passes before any work starts.
enum OutputPath {
    /// The file a path names, through symbolic links (even to a file not made yet), so that writing
    /// replaces the link's target and keeps the link. Gives up after 40 links, as the kernel does.
    static func target(_ path: String) -> String {
        var current = path
        for _ in 0 ..< 40 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = destination.hasPrefix("/") ? destination
                : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(destination).path
        }
        return current
    }

    /// Refuses a file that cannot be written: its folder is missing or not writable, or it is a folder,
    /// a device, a pipe or a socket (an atomic write would replace it with a regular file).
    static func checkFile(_ path: String, option: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw ValidationError("cannot write \(option) \(path): it is a folder; name a file inside it")
            default: throw ValidationError("cannot write \(option) \(path): it is not a regular file (a device, pipe or "
                + "socket); name a file, or leave \(option) out (or give -) for standard output")
            }
        }
        try checkFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path, for: path, option: option)
    }

    /// Refuses a file whose folder is missing or not writable.
    static func checkFolder(_ folder: String, for path: String, option: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("cannot write \(option) \(path): the folder \(folder) does not exist; create it first")
        }
        // An atomic write creates a temporary file beside the target and renames it, so a file is
        // created and removed there to learn whether that will work (permissions alone do not tell
        // root on a read-only or special file system).
        var template = Array((folder + "/.genre-probe-XXXXXX").utf8CString)
        let probe = mkstemp(&template)
        guard probe >= 0 else {
            let reason = String(cString: strerror(errno)).lowercased()
            throw ValidationError("cannot write \(option) \(path): files cannot be created in the folder \(folder) (\(reason)); "
                + "choose another place")
        }
        close(probe)
        unlink(template)
    }

    /// Refuses an output that is one of the inputs (or an audio file in an input folder), which
    /// the run would read and then replace.
    static func checkNotAmong(_ inputs: [String], path: String, option: String) throws {
        let target = resolved(path)
        for input in inputs {
            let source = resolved(input)
            let inside = target.hasPrefix(source + "/") && AudioDecoder.supportedExtensions.contains(
                URL(fileURLWithPath: target).pathExtension.lowercased())
            if target == source || (inside && FileManager.default.fileExists(atPath: target)) {
                throw ValidationError("cannot write \(option) \(path): it is one of the inputs; choose another file")
            }
        }
    }

    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// Why an output could not be written after the work was done (a full disk, say).
struct OutputError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot write \(path): \(reason)" }
}

/// Writes `text` to `path` atomically.
func writeFile(_ text: String, to path: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw OutputError(path: path, reason: sentence(for: error))
    }
}

/// A file error as the system says it ("no space left on device"), rather than Foundation's
/// "The operation could not be completed (NSCocoaErrorDomain error 512)".
func sentence(for error: any Error) -> String {
    var current = error as NSError
    while let underlying = current.userInfo[NSUnderlyingErrorKey] as? NSError { current = underlying }
    if current.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(current.code))).lowercased() }
    switch (error as? CocoaError)?.code {
    case .fileWriteNoPermission?: return "permission denied"
    case .fileWriteOutOfSpace?: return "no space left on device"
    case .fileWriteVolumeReadOnly?: return "read-only file system"
    case .fileNoSuchFile?, .fileWriteInvalidFileName?: return "no such folder"
    default: return current.localizedDescription
    }
}

/// JSON for machines and diffs: sorted snake_case keys, slashes unescaped (paths stay readable);
/// one indented document, or one compact line for JSON lines.
func jsonText(_ value: some Encodable, line: Bool = false) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = line ? [.sortedKeys, .withoutEscapingSlashes]
                                    : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Keys that are already snake_case (feature columns, SongReport's) pass through unchanged.
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}

extension Aggregation: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        [
            "mean": "the mean of the windows' probabilities",
            "geometric": "their geometric mean: only what is likely in every window scores high",
            "vote": "the share of windows that pick it",
        ]
    }
}

extension ModelKind: ExpressibleByArgument {
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { kind in
            (kind.rawValue, kind.title + (kind.inputSet.map { "; input --set \($0), 3 s windows by default" } ?? ""))
        })
    }
}
