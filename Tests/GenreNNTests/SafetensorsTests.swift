import Foundation
import GenreNN
import Testing
import TestSupport

/// Reading and writing against files made by Python's `safetensors` 0.8.0
/// (scripts/fixtures/make_nn_safetensors_fixtures.py).
@Suite struct SafetensorsTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let python = fixtures.appendingPathComponent("python.safetensors")

    /// The script's values: i * 0.25 - 1 in each tensor's shape.
    static let expected: [String: Tensor] = [
        "0.weight": [3, 4], "0.bias": [3], "conv.weight": [2, 1, 2, 3], "scalar": [],
    ].mapValues { shape in Tensor(shape: shape, scalars: (0 ..< shape.reduce(1, *)).map { Float($0) * 0.25 - 1 }) }

    @Test func readsWhatPythonWrote() throws {
        let file = try SafetensorsFile(contentsOf: Self.python)
        #expect(file.tensors == Self.expected)
        #expect(file.metadata == ["made_by": "safetensors 0.8.0"])
    }

    @Test func writesTheBytesPythonWrites() throws {
        let written = SafetensorsFile(tensors: Self.expected, metadata: ["made_by": "safetensors 0.8.0"]).data()
        #expect(written == (try Data(contentsOf: Self.python)))
        #expect(try SafetensorsFile(data: written) == SafetensorsFile(contentsOf: Self.python))
    }

    @Test func escapesNamesAndMetadataAsJSON() throws {
        let file = SafetensorsFile(tensors: ["odd \"name\"\\\n é": Tensor(zeros: [1, 2])], metadata: ["k\t": "v\u{01}/"])
        #expect(try SafetensorsFile(data: file.data()) == file)
    }

    /// Other dtypes are read past (a PyTorch checkpoint's int64 counters), and refused when asked for.
    @Test func refusesOtherDTypesWhenAskedFor() throws {
        let path = Self.fixtures.appendingPathComponent("float16.safetensors")
        let file = try SafetensorsFile(contentsOf: path)
        #expect(file.otherDTypes == ["half": "F16"])
        #expect(throws: SafetensorsError.unsupportedDType(source: path.path, tensor: "half", dtype: "F16")) {
            try file.tensor("half", shape: [2], source: path.path)
        }
    }

    @Test func corruptFilesAreTypedErrors() throws {
        let bytes = try Data(contentsOf: Self.python)
        #expect(throws: SafetensorsError.truncated(source: "x", reason: "3 bytes, fewer than the 8 of the header length")) {
            try SafetensorsFile(data: bytes.prefix(3), source: "x")
        }
        // Cut in the data, and cut in the header.
        for cut in [bytes.count - 4, 40] {
            #expect {
                try SafetensorsFile(data: bytes.prefix(cut))
            } throws: { error in
                if case .truncated = error as? SafetensorsError { true } else { false }
            }
        }
        var garbled = bytes
        garbled[8] = UInt8(ascii: "x")
        #expect(throws: SafetensorsError.malformedHeader(source: "<data>", reason: "not JSON")) {
            try SafetensorsFile(data: garbled)
        }
        var huge = bytes
        huge[7] = 0x7F
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(data: huge) }
        // A shape that does not match its byte range.
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "[3,4]", with: "[4,4]")
        #expect(throws: SafetensorsError.badExtent(source: "<data>", tensor: "0.weight",
                                                   reason: "has shape [4, 4] (64 bytes) but data_offsets [12, 60]")) {
            try SafetensorsFile(data: Data(text.utf8))
        }
        // Numbers whose product or sum overflows (which used to trap), as a forged bundle's weights might hold.
        let headerLength = Int(bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        for (from, to) in [("[3,4]", "[4611686018427387904,4]"), ("[12,60]", "[9223372036854775000,9223372036854775048]")] {
            let header = String(decoding: bytes[8 ..< 8 + headerLength], as: UTF8.self).replacingOccurrences(of: from, with: to)
            let forged = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Data($0) } + Data(header.utf8)
                + bytes[(8 + headerLength)...]
            #expect(throws: SafetensorsError.self, "\(to)") { try SafetensorsFile(data: forged) }
        }
    }

    @Test func modelWeightsRoundTripAndMismatchesAreErrors() throws {
        var generator = TestGenerator(seed: 21)
        let model = Sequential([try Dense(inputs: 4, outputs: 3, generator: &generator), try ReLU()])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("genrenn-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.saveWeights(to: url, metadata: ["epoch": "3"])
        let copy = Sequential([try Dense(inputs: 4, outputs: 3, generator: &generator), try ReLU()])
        try copy.loadWeights(from: url)
        #expect(copy.parameters.map(\.value) == model.parameters.map(\.value))

        // The Python fixture's "0.weight" is [3, 4], "0.bias" is [3]: a [2, 4] layer must refuse it untouched.
        let wrong = Sequential([try Dense(inputs: 4, outputs: 2, generator: &generator)])
        let before = wrong.parameters.map(\.value)
        #expect(throws: SafetensorsError.shapeMismatch(source: Self.python.path, tensor: "0.weight", expected: [2, 4], found: [3, 4])) {
            try wrong.loadWeights(from: Self.python)
        }
        #expect(wrong.parameters.map(\.value) == before)
        try Sequential([try Dense(inputs: 4, outputs: 3, generator: &generator)]).loadWeights(from: Self.python)
    }
}
