import GenreNN

/// musicnn's VGG-like baseline (`musicnn/models.py`: `vgg`), layer for layer as
/// `Resources/musicnn/*_vgg.json` describes it: five 3 x 3 convolutions, each followed by ReLU,
/// batch norm and a max pool ("pool1" ... "pool5"), then one dense layer on the flattened pool5.
final class VGGArchitecture: TaggingArchitecture {
    private let inputNorm: BatchNorm
    private let units: [NormalisedUnit]
    /// Each max pool's (mels, frames) window and its stride along both; unpadded, as TensorFlow's 'valid'.
    private let pools: [(window: (rows: Int, columns: Int), stride: Int)] =
        [((1, 4), 2), ((2, 2), 2), ((2, 2), 2), ((2, 2), 2), ((4, 4), 4)]
    private let output: Dense

    init(_ description: NetworkDescription, generator: inout some RandomNumberGenerator) throws {
        let epsilon = try description.epsilon
        let filters = try description.size("filters")
        inputNorm = try BatchNorm(channels: 1, epsilon: epsilon)
        units = try (1 ... 5).map { index in
            try NormalisedUnit(Conv2D(channels: index == 1 ? 1 : filters, filters: filters, kernel: (3, 3),
                                      padding: (1, 1, 1, 1), generator: &generator),
                               epsilon: epsilon, names: ("conv\(index)", "bn\(index)"))
        }
        // pool5 of a 96 x 187 patch is [filters, 1, 2].
        output = try Dense(inputs: 2 * filters, outputs: description.tags.count, generator: &generator)
    }

    var namedLayers: [(prefix: String, layer: any Layer)] {
        [("input_bn", inputNorm)] + units.flatMap(\.namedLayers) + [("output", output)]
    }

    func outputs(_ patches: Tensor) throws -> [String: Tensor] {
        var outputs: [String: Tensor] = [:]
        var x = try inputNorm.forward(patches, training: false)
        for (index, (unit, pool)) in zip(units, pools).enumerated() {
            // The first convolution has one input channel (too few products for Winograd's transforms
            // to pay) and pools windows of 1 x 4; the others pool square windows within its blocks.
            x = index == 0 ? try unit.singleChannelMaxPooled(x, window: pool.window, stride: pool.stride)
                : try unit.winogradMaxPooled(x, pool: pool.stride)
            outputs["pool\(index + 1)"] = x
        }
        outputs["logits"] = try output.forward(x.reshaped([x.shape[0], x.count / x.shape[0]]), training: false)
        return outputs
    }
}
