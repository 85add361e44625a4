import Foundation
import GenreFeatures
import GenreNN

/// The embeddings of a pre-trained musicnn network as a feature set, for transfer learning: a
/// clip (or a window of one) is cut into musicnn's 3 s patches at 16 kHz, each patch goes through
/// the network, and the chosen output, one value per channel, is averaged over the patches.
/// Several outputs of one network come from one pass ("msd-musicnn-penultimate+msd-musicnn-taggram").
/// A clip shorter than one patch is repeated until it fills one, as musicnn's training did
/// (`pad_short: repeat-pad`), so every clip of at least one FFT frame gets a row.
public struct EmbeddingFeatureSet: FeatureSet {
    public let network: PretrainedNetwork
    public let layers: [String]
    public let name: String
    public let columns: [String]
    public var sampleRate: Int { MusicnnInput.sampleRate }
    public var minimumSamples: Int { MusicnnInput.stft.nFFT }
    private let input: MusicnnInput

    /// Each of `layers` is one of the network's `intermediateNames`, "logits" or "taggram".
    public init(network: PretrainedNetwork, layers: [String]) throws {
        let probe = PretrainedNetwork.batch([Matrix(rows: 96, columns: 187)])
        self.network = network
        self.layers = layers
        name = layers.map { Self.name(network: network.name, layer: $0) }.joined(separator: "+")
        columns = try layers.flatMap { layer in
            try network.embeddings(of: probe, layer: layer)[0].indices.map { "\(layer)_\($0)" }
        }
        input = try MusicnnInput()
    }

    public init(network: PretrainedNetwork, layer: String) throws { try self.init(network: network, layers: [layer]) }

    /// "msd-musicnn-penultimate" for MSD_musicnn's "penultimate".
    static func name(network: String, layer: String) -> String {
        "\(network)-\(layer)".lowercased().replacingOccurrences(of: "_", with: "-")
    }

    public func extract(_ samples: [Float]) throws -> [Double] { try extract(clips: [samples])[0] }

    /// The patches of all clips go through the network together (a song's windows at once).
    public func extract(clips: [[Float]]) throws -> [[Double]] {
        let patches = try clips.map(input.patches(repeatPadding:))
        let all = patches.flatMap { $0 }
        var vectors = try stride(from: 0, to: all.count, by: PretrainedNetwork.patchBatch).flatMap { start in
            try network.embeddings(of: PretrainedNetwork.batch(Array(all[start ..< min(all.count, start + PretrainedNetwork.patchBatch)])),
                                   layers: layers)
        }[...]
        return try patches.map { clipPatches in
            let mine = vectors.prefix(clipPatches.count)
            vectors = vectors.dropFirst(clipPatches.count)
            let row = columns.indices.map { column in mine.reduce(0.0) { $0 + Double($1[column]) } / Double(mine.count) }
            if let bad = row.firstIndex(where: { !$0.isFinite }) { throw FeatureError.notFinite(column: columns[bad]) }
            return row
        }
    }
}

extension EmbeddingFeatureSet: StreamingFeatureSet {
    public func accumulator() -> any FeatureAccumulator { Accumulator(set: self) }

    /// The sum of the patches' vectors, patches run `PretrainedNetwork.patchBatch` at a time.
    struct Accumulator: FeatureAccumulator {
        let set: EmbeddingFeatureSet
        var cutter: MusicnnPatchCutter
        var pending: [Matrix] = []
        var sums: [Double]
        var patchCount = 0
        /// The clip while it is shorter than a patch, to be repeated should it stay so.
        var short: [Float]? = []

        init(set: EmbeddingFeatureSet) {
            self.set = set
            cutter = MusicnnPatchCutter(input: set.input)
            sums = [Double](repeating: 0, count: set.columns.count)
        }

        mutating func append(_ samples: [Float]) throws {
            pending += try cutter.append(samples)
            short = cutter.starts.isEmpty ? short.map { $0 + samples } : nil
            if pending.count >= PretrainedNetwork.patchBatch { try run() }
        }

        mutating func finish() throws -> [Double] {
            pending += try cutter.finish()
            if let short, cutter.starts.isEmpty { pending = try set.input.patches(repeatPadding: short) }
            try run()
            let row = sums.map { $0 / Double(patchCount) }
            if let bad = row.firstIndex(where: { !$0.isFinite }) { throw FeatureError.notFinite(column: set.columns[bad]) }
            return row
        }

        private mutating func run() throws {
            guard !pending.isEmpty else { return }
            for vector in try set.network.embeddings(of: PretrainedNetwork.batch(pending), layers: set.layers) {
                for column in sums.indices { sums[column] += Double(vector[column]) }
            }
            patchCount += pending.count
            pending = []
        }
    }
}

extension MusicnnInput {
    /// The patches of a clip of at least one FFT frame; one shorter than a patch is repeated until it
    /// fills one, as musicnn's training did (`pad_short: repeat-pad`).
    func patches(repeatPadding samples: [Float]) throws -> [Matrix] {
        guard samples.count >= Self.stft.nFFT else {
            throw FeatureError.tooShort(samples: samples.count, minimum: Self.stft.nFFT, sampleRate: Self.sampleRate)
        }
        var filled = samples
        while filled.count < Self.shortestClipSamples { filled += samples }
        return try patches(filled)
    }
}
