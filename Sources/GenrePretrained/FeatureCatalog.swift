import Foundation
import GenreAudio
import GenreFeatures
import GenreSupport

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
/// Networks load on first use and are kept (`PretrainedNetwork.shared(named:)`).
public enum FeatureCatalog {
    public static func named(_ name: String) throws -> any FeatureSet {
        let parts = name.lowercased().split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, !parts.contains("") else { throw FeatureCatalogError.unknown(name: name) }
        let sets = try parts.map(single)
        if sets.count == 1 { return sets[0] }
        // Two outputs of one network: one pass gives both.
        if let first = sets[0] as? EmbeddingFeatureSet, let second = sets[1] as? EmbeddingFeatureSet,
           first.network === second.network {
            return try EmbeddingFeatureSet(network: first.network, layers: first.layers + second.layers)
        }
        return FusedFeatureSet(first: sets[0], second: sets[1])
    }

    private static func single(_ name: String) throws -> any FeatureSet {
        if let set = FeatureSets.named(name) { return set }
        if name == MusicnnPatchFeatureSet.setName { return try MusicnnPatchFeatureSet() }
        for network in PretrainedNetwork.names where name.hasPrefix(EmbeddingFeatureSet.name(network: network, layer: "")) {
            let loaded = try PretrainedNetwork.shared(named: network)
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
