import Foundation

/// Files a module ships (SwiftPM resources), found without `Bundle.module`, which stops the process
/// when its bundle is not beside the executable.
public enum Resources {
    /// The path of `name` among the resources of `module`: in SwiftPM's resource bundle beside the
    /// executable, or, when running from a source checkout, in `sourceFolder` (the module's
    /// `Resources` folder); nil if absent.
    public static func path(_ name: String, module: String, sourceFolder: URL) -> String? {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first.map { ($0 as NSString).resolvingSymlinksInPath } ?? "")
        let bundles = [Bundle.main.executableURL?.deletingLastPathComponent(), executable.deletingLastPathComponent()]
            .compactMap { $0?.appendingPathComponent("GenreKit_\(module).resources/\(name)").path }
        return (bundles + [sourceFolder.appendingPathComponent(name).path]).first { FileManager.default.fileExists(atPath: $0) }
    }
}
