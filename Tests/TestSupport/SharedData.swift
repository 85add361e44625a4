import Foundation

/// The development data in `../shared` beside the checkout; absent on machines without it.
public enum SharedData {
    /// The package root, found from this file's path (Tests/TestSupport/SharedData.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/datasets/gtzan`, or nil when it is not there.
    public static var gtzan: URL? {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets/gtzan")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("manifest.csv").path) ? url : nil
    }

    public static let gtzanMissing = "../shared/datasets/gtzan is absent beside the checkout: skipping the GTZAN checks"
}
