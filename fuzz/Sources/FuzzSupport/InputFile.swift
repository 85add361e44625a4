import Foundation

/// The fuzzer's input as a file, for readers that take a path: one file per process, rewritten
/// for each input, so that millions of runs leave nothing behind but it.
public enum InputFile {
    /// `<tmp>/genrekit-fuzz-<pid>/<name>`.
    private static let folder: String = {
        let path = NSTemporaryDirectory() + "/genrekit-fuzz-\(getpid())"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Writes the `count` bytes at `start` to the file `name` and returns its path.
    public static func write(_ start: UnsafePointer<UInt8>, _ count: Int, name: String) -> String {
        let path = folder + "/" + name
        try! Data(bytes: start, count: count).write(to: URL(fileURLWithPath: path))
        return path
    }
}
