import Foundation

/// The embeddings of a pre-trained musicnn network as a feature set, for transfer learning: a
/// clip (or a window of one) is cut into musicnn's 3 s patches at 16 kHz, each patch goes through
/// the network, and the chosen output, one value per channel, is averaged over the patches.
/// A clip shorter than one patch is repeated until it fills one, as musicnn's training did
/// (`pad_short: repeat-pad`), so every clip of at least one FFT frame gets a row.
public struct EmbeddingFeatureSet: FeatureSet {
    public let network: PretrainedNetwork
    public let layer: String
    public let name: String
    public let columns: [String]
    public var sampleRate: Int { MusicnnInput.sampleRate }
    public var minimumSamples: Int { MusicnnInput.stft.nFFT }
    private let input: MusicnnInput

    /// `layer` is one of the network's `intermediateNames`, "logits" or "taggram".
    public init(network: PretrainedNetwork, layer: String) throws {
        let probe = try network.embeddings(of: PretrainedNetwork.batch([Matrix(rows: 96, columns: 187)]), layer: layer)
        self.network = network
        self.layer = layer
        name = Self.name(network: network.name, layer: layer)
        columns = probe[0].indices.map { "\(layer)_\($0)" }
        input = try MusicnnInput()
    }

    /// "msd-musicnn-penultimate" for MSD_musicnn's "penultimate".
    static func name(network: String, layer: String) -> String {
        "\(network)-\(layer)".lowercased().replacingOccurrences(of: "_", with: "-")
    }

    public func extract(_ samples: [Float]) throws -> [Double] { try extract(clips: [samples])[0] }

    /// The patches of all clips go through the network together (a song's windows at once).
    public func extract(clips: [[Float]]) throws -> [[Double]] {
        let patches = try clips.map(input.patches(repeatPadding:))
        // Batches of 16 patches bound the activations (musicnn's front end holds ~45 MB a patch).
        let all = patches.flatMap { $0 }
        var vectors = try stride(from: 0, to: all.count, by: 16).flatMap { start in
            try network.embeddings(of: PretrainedNetwork.batch(Array(all[start ..< min(all.count, start + 16)])), layer: layer)
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

/// Two feature sets side by side on the same clip: the second sees the clip resampled to its own
/// rate. Named "a+b" ("gtzan57+msd-musicnn-penultimate").
public struct FusedFeatureSet: FeatureSet {
    public let first: any FeatureSet
    public let second: any FeatureSet
    public var name: String { "\(first.name)+\(second.name)" }
    public var sampleRate: Int { first.sampleRate }
    public var columns: [String] { first.columns + second.columns }
    public var minimumSamples: Int {
        max(first.minimumSamples, (second.minimumSamples * first.sampleRate + second.sampleRate - 1) / second.sampleRate)
    }

    public func extract(_ samples: [Float]) throws -> [Double] {
        let resampled = first.sampleRate == second.sampleRate
            ? samples : try Resampling.resample(samples, from: first.sampleRate, to: second.sampleRate)
        return try first.extract(samples) + second.extract(resampled)
    }
}

/// Every feature set by name: the built-in ones of GenreFeatures, each output of the shipped
/// pre-trained networks ("msd-musicnn-penultimate", ...), and fusions of two ("gtzan57+msd-musicnn-max-pool").
/// Networks load on first use and are kept.
public enum FeatureCatalog {
    private static let cache = NetworkCache()

    public static func named(_ name: String) throws -> any FeatureSet {
        let parts = name.lowercased().split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, !parts.contains("") else { throw FeatureCatalogError.unknown(name: name) }
        let sets = try parts.map(single)
        return sets.count == 1 ? sets[0] : FusedFeatureSet(first: sets[0], second: sets[1])
    }

    /// The shipped network `name` as shipped, loaded once.
    static func network(_ name: String) throws -> PretrainedNetwork { try cache.network(name) }

    private static func single(_ name: String) throws -> any FeatureSet {
        if let set = FeatureSets.named(name) { return set }
        if name == MusicnnPatchFeatureSet.setName { return try MusicnnPatchFeatureSet() }
        for network in PretrainedNetwork.names where name.hasPrefix(EmbeddingFeatureSet.name(network: network, layer: "")) {
            let loaded = try cache.network(network)
            for layer in loaded.intermediateNames + ["logits", "taggram"]
            where EmbeddingFeatureSet.name(network: network, layer: layer) == name {
                return try EmbeddingFeatureSet(network: loaded, layer: layer)
            }
        }
        throw FeatureCatalogError.unknown(name: name)
    }

    /// What `named` knows, in a line.
    public static let summary = (FeatureSets.all.map(\.name) + [MusicnnPatchFeatureSet.setName]).joined(separator: ", ")
        + ", <network>-<output> for the embeddings of a shipped network (msd-musicnn-penultimate, msd-musicnn-max-pool,"
        + " msd-vgg-pool5, mtt-musicnn-taggram, ...), or two of these joined by '+' (gtzan57+msd-musicnn-penultimate)"
}

public enum FeatureCatalogError: Error, CustomStringConvertible, Equatable {
    case unknown(name: String)

    public var description: String {
        switch self {
        case .unknown(let name):
            "unknown feature set '\(name)'; known: \(FeatureCatalog.summary)"
        }
    }
}

/// The pre-trained networks loaded so far, shared by every feature set that uses them.
private final class NetworkCache: Sendable {
    private let loaded = Locked<[String: PretrainedNetwork]>([:])

    func network(_ name: String) throws -> PretrainedNetwork {
        try loaded.withLock { loaded in
            if let network = loaded[name] { return network }
            let network = try PretrainedNetwork(named: name)
            loaded[name] = network
            return network
        }
    }
}
