import Foundation

/// The audio files named on a command line: files as given, folders searched recursively for files
/// with an audio extension. Problems with one path are collected, not thrown, so the rest goes on.
public struct AudioInputs: Sendable {
    public private(set) var files: [String] = []
    public private(set) var problems: [InputProblem] = []

    public init(paths: [String], audioExtensions: Set<String> = AudioDecoder.supportedExtensions) {
        let fileManager = FileManager.default
        for path in paths {
            var isFolder: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isFolder) else {
                problems.append(InputProblem(path: path, reason: "no such file or folder"))
                continue
            }
            guard isFolder.boolValue else {
                files.append(path)
                continue
            }
            let found = Self.audioFiles(in: path, extensions: audioExtensions)
            if found.isEmpty {
                problems.append(InputProblem(path: path, reason: "folder holds no audio files (looked for \(audioExtensions.sorted().joined(separator: ", ")))"))
            }
            files += found
        }
    }

    /// Audio files below `folder`, in a stable order (sorted by path), hidden entries skipped.
    static func audioFiles(in folder: String, extensions: Set<String>) -> [String] {
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let entries = (try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []
        return entries.filter { entry in
            let name = entry.split(separator: "/").last ?? ""
            guard !entry.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
                  let dot = name.lastIndex(of: "."),
                  extensions.contains(name[name.index(after: dot)...].lowercased())
            else { return false }
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: base + "/" + entry, isDirectory: &isFolder) && !isFolder.boolValue
        }
        .map { base + "/" + $0 }
        .sorted()
    }
}

/// One input that could not be used, and why; printed as one line.
public struct InputProblem: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
