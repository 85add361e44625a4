import Foundation

/// The fuzzer's input as a file, for readers that take a path: one file per process, rewritten
/// for each input, so that millions of runs leave nothing behind but it.
public enum InputFile {
    /// `<tmp>/genrekit-fuzz-<pid>`.
    private static let folder: String = {
        let path = NSTemporaryDirectory() + "/genrekit-fuzz-\(getpid())"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Writes the `count` bytes at `start` to the file `name` and returns its path. Written as a
    /// new file with stdio, as either of Foundation's `Data.write` syncing the file to disk or ext4
    /// flushing a file truncated and written again took most of each run.
    public static func write(_ start: UnsafePointer<UInt8>, _ count: Int, name: String) -> String {
        let path = folder + "/" + name
        unlink(path)
        let file = fopen(path, "wb")!
        precondition(fwrite(start, 1, count, file) == count && fclose(file) == 0, "cannot write \(path)")
        return path
    }
}
