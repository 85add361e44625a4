import Foundation
import GenreKit
import Testing
import TestSupport

@Suite struct ModelBundleTests {
    /// A small logistic-regression bundle over two gtzan57 columns.
    static func bundle() throws -> ModelBundle {
        var pipeline = ModelPipeline(ModelChoice(.logistic), classCount: 2)
        try pipeline.fit(RowMatrix(stacking: [[0, 1], [1, 0], [0.1, 0.9], [0.9, 0.2]]), labels: [0, 1, 0, 1])
        return ModelBundle(
            classes: ["jazz", "rock"], featureSet: GTZAN57(), columns: ["rms_mean", "tempo"],
            segmenter: try Segmenter(segmentSeconds: 3), aggregation: .mean, pipeline: pipeline, evaluations: [],
            provenance: .init(data: "test", tracks: 4, rows: 4, trainedOn: "all", created: "2026-11-21T00:00:00Z",
                              genreKitVersion: GenreKitVersion.current, seed: 0))
    }

    @Test func roundTripGivesTheSameAnswers() throws {
        let folder = try TemporaryFolder()
        let original = try Self.bundle()
        try original.write(to: folder.file("m.genremodel"))
        let loaded = try ModelBundle(contentsOf: folder.file("m.genremodel"))
        let probe = RowMatrix(stacking: [[0.3, 0.6], [2, -1]])
        #expect(try loaded.pipeline.probabilities(probe) == original.pipeline.probabilities(probe))
        #expect(loaded.classes == ["jazz", "rock"])
        #expect(loaded.segmentSeconds == 3 && loaded.sampleRate == 22050)
    }

    @Test func damagedBundlesAreClearErrors() throws {
        let folder = try TemporaryFolder()
        let bytes = try Self.bundle().encoded()
        let cases: [(String, Data)] = [
            ("truncated", bytes.prefix(bytes.count - 10)),
            ("edited", Data(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "rock", with: "roxx").utf8)),
            ("empty", Data()),
            ("text", Data("hello".utf8)),
        ]
        for (name, data) in cases {
            FileManager.default.createFile(atPath: folder.file(name), contents: data)
            #expect(throws: BundleError.self, "\(name)") { try ModelBundle(contentsOf: folder.file(name)) }
        }
        #expect(throws: BundleError.missing(path: folder.file("absent"))) { try ModelBundle(contentsOf: folder.file("absent")) }
        #expect(throws: BundleError.unreadable(path: folder.path, reason: "it is a folder; give the bundle file (.genremodel) itself")) {
            try ModelBundle(contentsOf: folder.path)
        }
        #expect(throws: BundleError.unreadable(path: "/dev/null", reason: "it is not a regular file (a device, pipe or socket)")) {
            try ModelBundle(contentsOf: "/dev/null")
        }
    }

    /// An edit that keeps the checksum right (made on purpose) is still checked for consistency.
    @Test func inconsistentContentIsRejectedEvenWithAValidChecksum() throws {
        let bytes = try Self.bundle().encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        let body = String(text.split(separator: "\n", maxSplits: 2)[2])
            .replacingOccurrences(of: "\"classes\":[\"jazz\",\"rock\"]", with: "\"classes\":[\"jazz\",\"rock\",\"pop\"]")
        let forged = "GENREKIT-MODEL 1\nsha256 \(ModelBundleChecksum.hex(Array(body.utf8)))\n" + body
        #expect(throws: BundleError.self) { try ModelBundle(data: Data(forged.utf8), path: "forged") }
    }

    @Test func theEmbeddedModelLoads() throws {
        let bundle = try ModelBundle.embedded()
        #expect(bundle.classes.count == 10)
        #expect(bundle.featureSet == "msd-musicnn-penultimate" && bundle.segmentSeconds == 3 && bundle.sampleRate == 16000)
        #expect(!bundle.evaluations.isEmpty)
    }
}
