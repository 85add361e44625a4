import CXGBoost
import Foundation

/// An XGBoost booster giving class probabilities (objective `multi:softprob`), freed with this
/// object. Saved as the booster's UBJSON model (XGBoost's own portable format) in base64, checked by
/// `XGBoostModelCheck` before XGBoost reads it, with the thread count prediction should use.
///
/// `@unchecked Sendable`: the handle never changes after `init`, and `lock` keeps calls from
/// sharing the prediction state XGBoost keeps inside the booster.
final class XGBoostBooster: NativeModel, @unchecked Sendable {
    private let handle: BoosterHandle
    private let lock = NSLock()
    /// A hint: XGBoost gets at most one thread per core (libgomp ends the process when it cannot
    /// start the threads it is asked for).
    private let threadCount: Int
    /// Read from the booster at the end of `init`.
    private(set) var classCount = 0
    private(set) var columns = 0

    /// A new booster caching `data`, or an empty one to load a model into.
    private init(caching data: XGBoostMatrix?, threadCount: Int) throws(ModelError) {
        var created: BoosterHandle?
        var dataHandle = data?.handle
        try XGBoost.check(XGBoosterCreate(&dataHandle, data == nil ? 0 : 1, &created))
        handle = created!
        self.threadCount = threadCount
        // From here on `deinit` frees the handle whatever fails.
        try setParameters([("verbosity", "0"), ("nthread", "\(min(threadCount, ProcessInfo.processInfo.activeProcessorCount))")])
    }

    /// Boosts `rounds` rounds on rows labelled `0..<classCount`; `parameters` are XGBoost's names
    /// and values, the objective and class count aside.
    convenience init(training x: RowMatrix, labels: [Int], classCount: Int, rounds: Int,
                     parameters: [(String, String)], threadCount: Int) throws(ModelError) {
        try XGBoost.silenceThisThread()
        let data = try XGBoostMatrix(x, labels: labels)
        try self.init(caching: data, threadCount: threadCount)
        try setParameters([("objective", "multi:softprob"), ("num_class", "\(classCount)")] + parameters)
        try withExtendedLifetime(data) { () throws(ModelError) in
            for round in 0 ..< rounds { try XGBoost.check(XGBoosterUpdateOneIter(handle, Int32(round), data.handle)) }
        }
        try readShape()
    }

    private convenience init(loading model: Data, threadCount: Int) throws(ModelError) {
        let bytes = [UInt8](model)
        try XGBoostModelCheck.check(bytes)
        try XGBoost.silenceThisThread()
        try self.init(caching: nil, threadCount: threadCount)
        try XGBoost.check(XGBoosterLoadModelFromBuffer(handle, bytes, bst_ulong(bytes.count)))
        try readShape()
    }

    private enum CodingKeys: String, CodingKey { case threadCount, model }

    convenience init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let threadCount = try container.decode(Int.self, forKey: .threadCount)
        guard let model = Data(base64Encoded: try container.decode(String.self, forKey: .model)), threadCount > 0
        else { throw corrupt(decoder, "the booster is not a base64 XGBoost model with a thread count") }
        do throws(ModelError) {
            try self.init(loading: model, threadCount: threadCount)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(threadCount, forKey: .threadCount)
        try container.encode(try serialized().base64EncodedString(), forKey: .model)
    }

    func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        try XGBoost.silenceThisThread()
        let data = try XGBoostMatrix(x)
        lock.lock()
        defer { lock.unlock() }
        var shape: UnsafePointer<bst_ulong>?, dimensions: bst_ulong = 0, result: UnsafePointer<Float>?
        try withExtendedLifetime(data) { () throws(ModelError) in
            try XGBoost.check(XGBoosterPredictFromDMatrix(handle, data.handle, #"{"type": 0, "training": false, "#
                + #""iteration_begin": 0, "iteration_end": 0, "strict_shape": false}"#, &shape, &dimensions, &result))
        }
        // The copy below reads rows x classes floats: checked against what XGBoost says it wrote.
        let count = UnsafeBufferPointer(start: shape, count: Int(dimensions)).reduce(1) { $0 * Int($1) }
        guard count == x.rows * classCount else {
            throw .library("XGBoost gave \(count) probabilities for \(x.rows) rows of \(classCount) classes")
        }
        return RowMatrix(rows: x.rows, columns: classCount,
                         values: Array(UnsafeBufferPointer(start: result, count: x.rows * classCount)))
    }

    private func serialized() throws(ModelError) -> Data {
        lock.lock()
        defer { lock.unlock() }
        var length: bst_ulong = 0, bytes: UnsafePointer<CChar>?
        try XGBoost.check(XGBoosterSaveModelToBuffer(handle, #"{"format": "ubj"}"#, &length, &bytes))
        return Data(bytes: bytes!, count: Int(length))
    }

    private func setParameters(_ parameters: [(String, String)]) throws(ModelError) {
        for (name, value) in parameters { try XGBoost.check(XGBoosterSetParam(handle, name, value)) }
    }

    /// Reads the class count and row width from the booster's configuration, which must describe
    /// a model of class probabilities.
    private func readShape() throws(ModelError) {
        var length: bst_ulong = 0, text: UnsafePointer<CChar>?
        try XGBoost.check(XGBoosterSaveJsonConfig(handle, &length, &text))
        let config: [String: Any]?
        do {
            config = try JSONSerialization.jsonObject(with: Data(bytes: text!, count: Int(length))) as? [String: Any]
        } catch {
            throw .library("XGBoost: the booster's configuration is not JSON (\(error))")
        }
        let learner = config?["learner"] as? [String: Any]
        let model = learner?["learner_model_param"] as? [String: String]
        let objective = (learner?["objective"] as? [String: Any])?["name"] as? String
        guard objective == "multi:softprob", let classes = model?["num_class"].flatMap({ Int($0) }),
              let features = model?["num_feature"].flatMap({ Int($0) })
        else { throw .library("XGBoost: the booster does not give class probabilities (objective \(objective ?? "unknown"))") }
        classCount = classes
        columns = features
    }

    deinit {
        XGBoosterFree(handle)
    }
}

/// An XGBoost DMatrix holding a copy of rows (and labels), freed with this object.
private final class XGBoostMatrix {
    let handle: DMatrixHandle

    init(_ x: RowMatrix, labels: [Int]? = nil) throws(ModelError) {
        var created: DMatrixHandle?
        try XGBoost.check(XGDMatrixCreateFromMat(x.values, bst_ulong(x.rows), bst_ulong(x.columns), .nan, &created))
        handle = created!
        if let labels {
            try XGBoost.check(XGDMatrixSetFloatInfo(handle, "label", labels.map(Float.init), bst_ulong(labels.count)))
        }
    }

    deinit {
        XGDMatrixFree(handle)
    }
}

/// XGBoost's C API conventions: every call returns 0 or leaves a message for the calling thread,
/// and the log level is a per-thread setting, so each entry point silences its thread first.
enum XGBoost {
    static func check(_ code: Int32) throws(ModelError) {
        guard code != 0 else { return }
        // The first line is the message; a native stack trace follows.
        let message = String(cString: XGBGetLastError()).split(separator: "\n").first ?? "unknown error"
        throw .library("XGBoost: \(message)")
    }

    static func silenceThisThread() throws(ModelError) {
        try check(XGBSetGlobalConfig(#"{"verbosity": 0}"#))
    }
}
