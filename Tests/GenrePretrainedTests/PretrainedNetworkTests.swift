import Foundation
import GenreFeatures
import GenreNN
import GenrePretrained
import Testing
import TestSupport

/// musicnn's networks on GenreNN against the original TensorFlow musicnn: one patch of the fixture
/// signal through each network, every intermediate output (scripts/fixtures/make_musicnn_fixtures.py).
@Suite struct PretrainedNetworkTests {
    /// The issue's bar. Measured: worst 1.3e-4 (MSD_musicnn cnn3; timbral 1.9e-5 through the DFT along
    /// the mels; taggram 3.3e-7), 4.9e-5 (MSD_vgg pool3 through Winograd's transforms; taggram 8.9e-8).
    let tolerance = 1e-3

    func fixtureInput(_ fixture: Fixture) throws -> Tensor {
        let input = try fixture.tensor("input")
        return Tensor(shape: input.shape, scalars: input.floats)
    }

    @Test(arguments: ["MSD_musicnn", "MSD_vgg"])
    func everyOutputMatchesTheOriginal(model: String) throws {
        let fixture = try Fixture.load("musicnn_\(model).safetensors")
        let network = try PretrainedNetwork(named: model)
        #expect(network.tags == fixture.metadata["tags"]?.split(separator: ",").map(String.init))
        let outputs = try network.outputs(try fixtureInput(fixture))
        for name in network.intermediateNames + ["logits", "taggram"] {
            let expected = try fixture.tensor(name)
            // The fixture keeps every 8th channel of vgg's pool1 and every 4th of pool2.
            let ours = everyNthChannel(outputs[name]!, count: expected.shape[1])
            #expect(ours.shape == expected.shape, "\(name)")
            let deviation = Deviation.compare(ours.scalars, expected.values)
            #expect(deviation.maxAbsolute <= tolerance, "\(model) \(name): \(deviation)")
        }
    }

    /// Channels 0, k, 2k, ... of [N, C, ...] so that `count` remain.
    func everyNthChannel(_ tensor: Tensor, count: Int) -> Tensor {
        let (batch, channels) = (tensor.shape[0], tensor.shape[1])
        let step = channels / count, size = tensor.count / (batch * channels)
        var scalars: [Float] = []
        for n in 0 ..< batch {
            for c in stride(from: 0, to: channels, by: step) {
                let start = (n * channels + c) * size
                scalars += tensor.scalars[start ..< start + size]
            }
        }
        return Tensor(shape: [batch, count] + tensor.shape.dropFirst(2), scalars: scalars)
    }

    /// Patches go through a network together (its work split by patch and by parts of each patch);
    /// each one's outputs are what it gives alone.
    @Test(arguments: ["MSD_musicnn", "MSD_vgg"])
    func batchedPatchesEqualSingleOnes(model: String) throws {
        let network = try PretrainedNetwork(named: model)
        let first = try fixtureInput(try Fixture.load("musicnn_\(model).safetensors"))
        let patches = [first, Tensor(shape: first.shape, scalars: first.scalars.reversed()),
                       Tensor(shape: first.shape, scalars: first.scalars.map { 0.5 * $0 + 0.25 })]
        let batched = try network.outputs(Tensor(shape: [3] + first.shape.dropFirst(), scalars: patches.flatMap(\.scalars)))
        for (index, patch) in patches.enumerated() {
            for (name, single) in try network.outputs(patch) {
                let size = single.count
                let deviation = Deviation.compare(Array(batched[name]!.scalars[index * size ..< (index + 1) * size]), single.scalars)
                #expect(deviation.maxAbsolute <= 1e-5, "\(model) \(name), patch \(index): \(deviation)")
            }
        }
    }

    @Test func embeddingsArePooledOutputsOrMeansOverFrames() throws {
        let fixture = try Fixture.load("musicnn_MSD_musicnn.safetensors")
        let network = try PretrainedNetwork(named: "MSD_musicnn")
        let input = try fixtureInput(fixture)
        let penultimate = try network.embeddings(of: input, layer: "penultimate")
        #expect(penultimate.count == 1)
        let deviation = Deviation.compare(penultimate[0], try fixture.tensor("penultimate").values)
        #expect(deviation.maxAbsolute <= tolerance, "\(deviation)")
        // cnn1 is [1, 64, 187]: the embedding is each channel's mean over the frames.
        let cnn1 = try fixture.tensor("cnn1")
        let means = (0 ..< 64).map { c in cnn1.values[c * 187 ..< (c + 1) * 187].reduce(0, +) / 187 }
        let frames = Deviation.compare(try network.embeddings(of: input, layer: "cnn1")[0], means)
        #expect(frames.maxAbsolute <= tolerance, "\(frames)")
        #expect(throws: PretrainedNetworkError.unknownOutput(name: "pool1", available: network.intermediateNames + ["logits", "taggram"])) {
            try network.embeddings(of: input, layer: "pool1")
        }
    }

    @Test func patchesOfTheWrongShapeAreRefused() throws {
        let network = try PretrainedNetwork(named: "MSD_vgg")
        #expect(throws: PretrainedNetworkError.badPatches(shape: [2, 1, 96, 100])) {
            try network.taggram(Tensor(zeros: [2, 1, 96, 100]))
        }
    }

    @Test func unknownMissingAndDamagedNetworksAreTypedErrors() throws {
        #expect(throws: PretrainedNetworkError.unknown(name: "GTZAN_musicnn", available: PretrainedNetwork.names)) {
            try PretrainedNetwork(named: "GTZAN_musicnn")
        }
        let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/GenrePretrained/Resources/musicnn").standardized
        let description = resources.appendingPathComponent("MSD_vgg.json")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pretrained-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let absent = folder.appendingPathComponent("absent.safetensors")
        #expect(throws: PretrainedNetworkError.missing(path: absent.path)) {
            try PretrainedNetwork(description: description, weights: absent)
        }
        let garbage = folder.appendingPathComponent("garbage.safetensors")
        try Data(repeating: 7, count: 100).write(to: garbage)
        #expect(throws: PretrainedNetworkError.self) { try PretrainedNetwork(description: description, weights: garbage) }
        // The other architecture's weights: the tensors do not match.
        let musicnn = resources.appendingPathComponent("MSD_musicnn.safetensors")
        do {
            _ = try PretrainedNetwork(description: description, weights: musicnn)
            Issue.record("loaded musicnn's weights into vgg")
        } catch {
            guard case .damaged(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == musicnn.path)
        }
        let truncated = folder.appendingPathComponent("MSD_vgg.json")
        try Data(try Data(contentsOf: description).prefix(200)).write(to: truncated)
        do {
            _ = try PretrainedNetwork(description: truncated, weights: resources.appendingPathComponent("MSD_vgg.safetensors"))
            Issue.record("read a truncated description")
        } catch {
            guard case .damaged(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == truncated.path)
        }
    }
}
