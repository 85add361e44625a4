import GenreNN

/// musicnn's own architecture (Pons & Serra, 2019, `musicnn/models.py`: `define_model` with
/// `musically_motivated_cnn`), layer for layer as `Resources/musicnn/*_musicnn.json` describes it.
/// Front end: vertical (timbral, 38 and 67 mels x 7 frames) and horizontal (temporal, 1 mel x 128,
/// 64, 32 frames) convolutions of the normalised input, each max-pooled over all its mel rows. Mid
/// end: three 1-D convolutions over frames, the last two residual. Back end: max and mean over frames
/// of everything so far, a dense layer (the "penultimate" features), the logits.
final class MusicnnArchitecture: TaggingArchitecture {
    let inputNorm: BatchNorm
    let timbral: [NormalisedUnit]
    let temporal: [NormalisedUnit]
    let midend: [NormalisedUnit]
    let poolNorm: BatchNorm
    let dense: NormalisedUnit
    private let output: Dense
    private let maxOverFrames = try! GlobalMaxPooling()
    private let meanOverFrames = try! GlobalAveragePooling()

    init(_ description: NetworkDescription, generator: inout some RandomNumberGenerator) throws {
        let epsilon = try description.epsilon
        let (timbralFilters, temporalFilters) = (try description.size("timbral_filters"), try description.size("temporal_filters"))
        let (midendFilters, units) = (try description.size("midend_filters"), try description.size("backend_units"))
        let bands = MusicnnInput.mel.nMels
        func unit(_ name: String, _ layer: WeightedLayer) throws -> NormalisedUnit {
            try NormalisedUnit(layer, epsilon: epsilon, names: ("\(name).conv", "\(name).bn"))
        }
        inputNorm = try BatchNorm(channels: 1, epsilon: epsilon)
        // Timbral kernels span 40% and 70% of the mel bands, unpadded along them.
        timbral = try [0.4, 0.7].map { fraction in
            let height = Int(fraction * Double(bands))
            return try unit("timbral_\(height)", Conv2D(channels: 1, filters: timbralFilters, kernel: (height, 7),
                                                         padding: (0, 0, 3, 3), generator: &generator))
        }
        // TensorFlow's 'same' padding puts the odd one out after.
        temporal = try [128, 64, 32].map { length in
            try unit("temporal_\(length)", Conv2D(channels: 1, filters: temporalFilters, kernel: (1, length),
                                                   padding: (0, 0, (length - 1) / 2, length / 2), generator: &generator))
        }
        let frontend = 2 * timbralFilters + 3 * temporalFilters
        midend = try (1 ... 3).map { index in
            try unit("midend_\(index)", Conv1D(channels: index == 1 ? frontend : midendFilters, filters: midendFilters,
                                               kernel: 7, padding: (3, 3), generator: &generator))
        }
        let pooled = 2 * (frontend + 3 * midendFilters)
        poolNorm = try BatchNorm(channels: pooled, epsilon: epsilon)
        dense = try NormalisedUnit(Dense(inputs: pooled, outputs: units, generator: &generator), epsilon: epsilon,
                                   names: ("backend.dense", "backend.dense_bn"))
        output = try Dense(inputs: units, outputs: description.tags.count, generator: &generator)
    }

    var namedLayers: [(prefix: String, layer: any Layer)] {
        [("input_bn", inputNorm)] + (timbral + temporal + midend).flatMap(\.namedLayers)
            + [("backend.pool_bn", poolNorm)] + dense.namedLayers + [("backend.output", output)]
    }

    /// The front end's timbral and temporal features, each [N, filters, frames].
    func frontEnd(_ patches: Tensor) throws -> (timbral: Tensor, temporal: Tensor) {
        let input = try inputNorm.forward(patches, training: false)
        // Each branch's maximum over its mel rows: [N, filters, frames].
        let timbral = try self.timbral.map { try $0.spectralMaxOverRows(input) }
        return (Tensor.joiningChannels(timbral), Tensor.joiningChannels(try temporal.map { try $0.maxOverRows(input) }))
    }

    func outputs(_ patches: Tensor) throws -> [String: Tensor] {
        let (timbral, temporal) = try frontEnd(patches)
        var features = [Tensor.joiningChannels([timbral, temporal])]
        for (index, unit) in midend.enumerated() {
            let output = try unit(features[index])
            features.append(index == 0 ? output : output + features[index])
        }
        let stacked = Tensor.joiningChannels(features)
        let maxPool = try maxOverFrames.forward(stacked, training: false)
        let meanPool = try meanOverFrames.forward(stacked, training: false)
        let penultimate = try dense(poolNorm.forward(Tensor.joiningChannels([maxPool, meanPool]), training: false))
        return ["timbral": timbral, "temporal": temporal, "cnn1": features[1], "cnn2": features[2], "cnn3": features[3],
                "mean_pool": meanPool, "max_pool": maxPool, "penultimate": penultimate,
                "logits": try output.forward(penultimate, training: false)]
    }
}
