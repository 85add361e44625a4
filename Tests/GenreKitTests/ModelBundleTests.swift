import Foundation
import GenreKit
import Testing
import TestSupport

@Suite struct ModelBundleTests {
    /// A small bundle of `kind` (logistic regression by default) over two gtzan57 columns.
    static func bundle(_ kind: ModelKind = .logistic) throws -> ModelBundle {
        var pipeline = ModelPipeline(ModelChoice(kind), classCount: 2)
        try pipeline.fit(RowMatrix(stacking: [[0, 1], [1, 0], [0.1, 0.9], [0.9, 0.2], [0.2, 0.8], [0.8, 0.1], [0, 0.7], [1, 0.3]]),
                         labels: [0, 1, 0, 1, 0, 1, 0, 1])
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

    /// `bundle`'s bytes with `value` put at each `path` of its JSON body and the checksum made to
    /// match: the deliberate edit anyone sharing a model could make.
    static func forged(_ bundle: ModelBundle, _ edits: [([String], Any)]) throws -> Data {
        let bytes = try bundle.encoded()
        let body = bytes[(bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }[1] + 1)...]
        let edited = try editing(body, edits)
        return Data("GENREKIT-MODEL 1\nsha256 \(ModelBundleChecksum.hex(edited))\n".utf8) + edited
    }

    /// The JSON `json` with `value` put at each `path` (keys of nested objects).
    static func editing(_ json: Data, _ edits: [([String], Any)]) throws -> Data {
        func setting(_ value: Any, at path: ArraySlice<String>, in object: Any?) -> Any {
            guard let key = path.first, var dictionary = object as? [String: Any] else { return value }
            dictionary[key] = setting(value, at: path.dropFirst(), in: dictionary[key])
            return dictionary
        }
        let edited = edits.reduce(try JSONSerialization.jsonObject(with: json)) { setting($1.1, at: $1.0[...], in: $0) }
        return try JSONSerialization.data(withJSONObject: edited)
    }

    /// Where a bundle keeps the model saved under `savedName`, and in it `path`.
    static func model(_ savedName: String, _ path: String...) -> [String] { ["pipeline", "classifier", savedName, "_0"] + path }

    /// Where an XGBoost bundle keeps its booster: the thread count and the model's bytes in base64.
    static let booster = model("xgboost", "fitted", "model")

    /// The bytes of the XGBoost model of an XGBoost bundle.
    static func boosterPayload(_ bundle: ModelBundle) throws -> [UInt8] {
        let pipeline = try JSONSerialization.jsonObject(with: JSONEncoder().encode(bundle.pipeline))
        let encoded = (booster.dropFirst() + ["model"]).reduce(Optional(pipeline)) { ($0 as? [String: Any])?[$1] } as? String
        return Array(try #require(encoded.flatMap { Data(base64Encoded: $0) }))
    }

    /// An edit that keeps the checksum right (made on purpose) is still checked for consistency.
    @Test func inconsistentContentIsRejectedEvenWithAValidChecksum() throws {
        let forged = try Self.forged(Self.bundle(), [(["classes"], ["jazz", "rock", "pop"])])
        #expect(throws: BundleError.self) { try ModelBundle(data: forged, path: "forged") }
    }

    /// Counts and shapes that disagree with the rest of the bundle, each of which used to size an
    /// allocation (4 GB for a logistic class count of 1e9), trap on an overflow, or reach libsvm:
    /// each is refused before anything is sized by it, in a fraction of a second.
    @Test func forgedSizesAreRefusedBeforeTheyAreUsed() throws {
        let cases: [(ModelKind, [([String], Any)])] = [
            (.logistic, [(Self.model("logistic", "state", "classes", "classCount"), 1_000_000_000)]),
            (.logistic, [(["pipeline", "classCount"], 1_000_000_000)]),
            (.logistic, [(Self.model("logistic", "state", "scores", "columns"), Int.max)]),
            (.logistic, [(["columns"], ["rms_mean"])]),
            (.logistic, [(["pipeline", "scaler", "state", "mean"], [0, 0, 0]), (["pipeline", "scaler", "state", "scale"], [1, 1, 1])]),
            (.knn, [(Self.model("knn", "state", "classCount"), 1_000_000_000)]),
            (.naiveBayes, [(Self.model("naiveBayes", "state", "columns"), Int.max)]),
            (.tree, [(Self.model("tree", "model", "classCount"), 1 << 62)]),
            (.rbfSVM, [(Self.model("rbfSVM", "fitted", "model", "supportCounts"), [Int32.max, Int32.max])]),
            (.rbfSVM, [(Self.model("rbfSVM", "fitted", "classes", "classCount"), 1_000_000_000)]),
            (.xgboost, [(Self.model("xgboost", "fitted", "columns"), 1_000_000_000)]),
            // Windows too short for one analysis frame, or overlapping so much that a song's copies
            // would fill memory.
            (.logistic, [(["segmentSeconds"], 1e-9)]),
            (.logistic, [(["hopSeconds"], 1e-9)]),
        ]
        let clock = ContinuousClock()
        for (kind, edits) in cases {
            let forged = try Self.forged(Self.bundle(kind), edits)
            let time = clock.measure {
                #expect(throws: BundleError.self, "\(kind) \(edits)") { try ModelBundle(data: forged, path: "forged") }
            }
            #expect(time < .seconds(1), "\(kind) \(edits)")
        }
    }

    /// The XGBoost payload with a byte changed (at 24 places across it; GenreMLTests changes many
    /// more) or cut short, and the checksum made to match: refused (XGBoost alone crashed or grew
    /// to gigabytes), or a model that still answers. A thread count of 100000 is cut to the cores
    /// instead of ending the process in libgomp.
    @Test func forgedBoosterBytesAreRefusedOrStillAModel() throws {
        let bundle = try Self.bundle(.xgboost)
        let payload = try Self.boosterPayload(bundle)
        for index in stride(from: 0, to: payload.count, by: payload.count / 24 + 1) {
            var flipped = payload
            flipped[index] ^= 0x80
            let forged = try Self.forged(bundle, [(Self.booster + ["model"], Data(flipped).base64EncodedString())])
            do { _ = try ModelBundle(data: forged, path: "forged") } catch { #expect(error.description.contains("damaged")) }
        }
        for length in [0, 1, 9, payload.count / 3, payload.count - 1] {
            let forged = try Self.forged(bundle, [(Self.booster + ["model"], Data(payload.prefix(length)).base64EncodedString())])
            #expect(throws: BundleError.self) { try ModelBundle(data: forged, path: "forged") }
        }
        let threads = try ModelBundle(data: Self.forged(bundle, [(Self.booster + ["threadCount"], 100_000)]), path: "forged")
        let probe = RowMatrix(stacking: [[0.3, 0.6]])
        #expect(try threads.pipeline.probabilities(probe) == bundle.pipeline.probabilities(probe))
    }

    @Test func theEmbeddedModelLoads() throws {
        let bundle = try ModelBundle.embedded()
        #expect(bundle.classes.count == 10)
        #expect(bundle.featureSet == "msd-musicnn-penultimate" && bundle.segmentSeconds == 3 && bundle.sampleRate == 16000)
        #expect(!bundle.evaluations.isEmpty)
    }
}
