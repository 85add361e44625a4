import GenreNN
import GenrePretrained
import Testing
import TestSupport

/// musicnn's blocks as trainable GenreNN layers (for fine-tuning) compute what the original computes,
/// and the inference path follows their weights when training changes them.
@Suite struct MusicnnBlocksTests {
    /// The bar of the parity tests (PretrainedNetworkTests).
    let tolerance = 1e-3

    @Test func blocksInInferenceMatchTheOriginal() throws {
        let fixture = try Fixture.load("musicnn_MSD_musicnn.safetensors")
        let input = try fixture.tensor("input")
        let (blocks, width) = try PretrainedNetwork(named: "MSD_musicnn").blocks(seed: 0)
        #expect(blocks.count == 3 && width == 200)
        // The TensorFlow outputs at each block's end: the front end's features, those and the mid end's, the penultimate.
        let ends = [["timbral", "temporal"], ["timbral", "temporal", "cnn1", "cnn2", "cnn3"], ["penultimate"]]
        var output = Tensor(shape: input.shape, scalars: input.floats)
        for (block, names) in zip(blocks, ends) {
            output = try block.forward(output, training: false)
            let parts = try names.map { try fixture.tensor($0) }
            let expected = (0 ..< output.shape[0]).flatMap { n in
                parts.flatMap { part in part.values[n * (part.values.count / output.shape[0]) ..< (n + 1) * (part.values.count / output.shape[0])] }
            }
            #expect(output.count == expected.count, "\(names)")
            let deviation = Deviation.compare(output.scalars, expected)
            #expect(deviation.maxAbsolute <= tolerance, "\(names.last!): \(deviation)")
        }
    }

    /// The inference path keeps the timbral kernels' transforms between calls: after the weights change
    /// (as training changes them) it still computes what the trainable front end computes.
    @Test func theInferenceFrontEndFollowsChangedWeights() throws {
        let fixture = try Fixture.load("musicnn_MSD_musicnn.safetensors")
        let input = try fixture.tensor("input")
        let patch = Tensor(shape: input.shape, scalars: input.floats)
        let network = try PretrainedNetwork(named: "MSD_musicnn")
        let frontEnd = try network.blocks(seed: 0).blocks[0]
        _ = try network.outputs(patch)
        for parameter in frontEnd.parameters where parameter.value.shape.count == 4 {
            parameter.value = Tensor(shape: parameter.value.shape, scalars: parameter.value.scalars.map { 0.5 - 2 * $0 })
        }
        let outputs = try network.outputs(patch)
        let expected = try frontEnd.forward(patch, training: false).scalars
        let deviation = Deviation.compare(outputs["timbral"]!.scalars + outputs["temporal"]!.scalars, expected)
        #expect(deviation.maxAbsolute <= tolerance, "\(deviation)")
    }
}
