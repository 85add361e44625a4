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
            problems += found.unreadable
            if found.files.isEmpty, found.unreadable.isEmpty {
                problems.append(InputProblem(path: path, reason: "folder holds no audio files (looked for \(audioExtensions.sorted().joined(separator: ", ")))"))
            }
            files += found.files
        }
    }

    /// Audio files below `folder`, in a stable order (sorted by path), hidden entries skipped, and the
    /// folders below it that cannot be read (each a problem; the readable rest is still searched).
    /// Links to files count as files; links to folders are not followed, so no loop can trap the walk.
    static func audioFiles(in folder: String, extensions: Set<String>) -> (files: [String], unreadable: [InputProblem]) {
        var files: [String] = [], unreadable: [InputProblem] = []
        var pending = [folder.hasSuffix("/") ? String(folder.dropLast()) : folder]
        while let current = pending.popLast() {
            guard let directory = opendir(current) else {
                unreadable.append(InputProblem(path: current, reason: "folder cannot be read (\(String(cString: strerror(errno)))); "
                    + "its files are left out"))
                continue
            }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard !name.hasPrefix(".") else { continue }
                let path = current + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: pending.append(path)
                case S_IFREG, S_IFLNK:
                    var target = stat()
                    if Self.hasExtension(name, extensions), stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFREG {
                        files.append(path)
                    }
                default: continue
                }
            }
        }
        return (files.sorted(), unreadable.sorted { $0.path < $1.path })
    }

    private static func hasExtension(_ name: String, _ extensions: Set<String>) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return extensions.contains(name[name.index(after: dot)...].lowercased())
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
