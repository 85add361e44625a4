import GenreML
import GenreNN

extension MusicnnArchitecture {
    /// The network as trainable GenreNN layers, in musicnn's three blocks, sharing this network's
    /// layers (training them changes it): the front end [N, 1, 96, 187] -> [N, 561, 187], the mid end
    /// -> [N, 753, 187] (the front end's features and each convolution's, stacked as `outputs` stacks
    /// them) and the back end -> [N, 200] (the penultimate features), with musicnn's dropout before
    /// its dense layer. In inference they compute what `outputs` computes, less fused. Their batch norms
    /// keep the pre-trained statistics in training too (`frozenStatistics`), as Keras advises for
    /// fine-tuning: the few examples of a fine-tuning set would move them far from what the layers
    /// after them learnt.
    func blocks(seed: UInt64) throws -> [Sequential] {
        for norm in [inputNorm, poolNorm] + (timbral + temporal + midend + [dense]).map(\.norm) { norm.frozenStatistics = true }
        func rectified(_ unit: NormalisedUnit) throws -> Sequential { Sequential([unit.weighted, try ReLU(), unit.norm]) }
        let overRows = try (timbral + temporal).map { unit in
            Sequential([try rectified(unit), try MaxPool2D(kernel: (.wholeAxis, 1)),
                        try Reshape([unit.weighted.weight.value.shape[0], -1])])
        }
        // x0 -> [x0, x1, x2, x3] with x1 = unit1(x0), x2 = x1 + unit2(x1), x3 = x2 + unit3(x2), from the inside out.
        var midEnd: any Layer = try Concatenate([Identity(), Residual(rectified(midend[2]))], axis: 1)
        midEnd = try Concatenate([Identity(), Sequential([Residual(rectified(midend[1])), midEnd])], axis: 1)
        midEnd = try Concatenate([Identity(), Sequential([rectified(midend[0]), midEnd])], axis: 1)
        return [
            Sequential([inputNorm, try Concatenate(overRows, axis: 1)]),
            Sequential([midEnd]),
            Sequential([try Concatenate([GlobalMaxPooling(), GlobalAveragePooling()], axis: 1), poolNorm,
                        try Dropout(rate: 0.5, seed: seed), try rectified(dense)]),
        ]
    }

    var penultimateWidth: Int { dense.weighted.weight.value.shape[0] }
}

extension PretrainedNetwork {
    /// musicnn's blocks (front end, mid end, back end) as trainable GenreNN layers that share this
    /// network's, for fine-tuning, and the width of the back end's output; VGG's are not built.
    public func blocks(seed: UInt64) throws -> (blocks: [Sequential], width: Int) {
        let musicnn = try musicnnArchitecture
        return (try musicnn.blocks(seed: seed), musicnn.penultimateWidth)
    }

    /// The front end's output [N, 561, 187] for patches [N, 1, 96, 187], by the inference path.
    func frontEnd(_ patches: Tensor) throws -> Tensor {
        let musicnn = try musicnnArchitecture
        return try lock.withLock { () throws -> Tensor in
            let (timbral, temporal) = try musicnn.frontEnd(patches)
            return Tensor.joiningChannels([timbral, temporal])
        }
    }

    private var musicnnArchitecture: MusicnnArchitecture {
        get throws(ModelError) {
            guard let musicnn = network as? MusicnnArchitecture else {
                throw .invalidParameter("fine-tuning is built for musicnn's architecture, not \(name)'s \(architecture)")
            }
            return musicnn
        }
    }
}
