import Foundation
import GenreFeatures
import GenreNN
import GenreSupport

/// One of musicnn's pre-trained taggers (Pons & Serra, 2019) on GenreNN: the weights and description
/// that scripts/convert_musicnn.py made from the original TensorFlow checkpoints,
/// `Resources/musicnn/<name>.safetensors` and `<name>.json`. It takes `MusicnnInput` patches as NCHW
/// [patches, 1, 96 mels, 187 frames] and gives one independent probability per tag (the taggram), and
/// the intermediate outputs musicnn's extractor exposes, for transfer learning.
public final class PretrainedNetwork: @unchecked Sendable {
    /// The networks shipped in GenreKit: trained on the Million Song Dataset or MagnaTagATune.
    public static let names = ["MSD_musicnn", "MSD_vgg", "MTT_musicnn", "MTT_vgg"]
    /// The shape of one patch: [channels, mels, frames].
    public static let patchShape = [1, MusicnnInput.mel.nMels, MusicnnInput.patchFrames]

    public let name: String
    /// "musicnn" or "vgg".
    public let architecture: String
    /// The tag of each taggram column.
    public let tags: [String]
    /// The intermediate outputs, as musicnn's extractor names them ("timbral", ..., "penultimate";
    /// "pool1", ..., "pool5"); `outputs` also gives "logits" and "taggram".
    public let intermediateNames: [String]
    let network: any TaggingArchitecture
    private let sigmoid: Sigmoid
    /// The layers keep per-shape state, so one pass runs at a time.
    let lock = NSLock()

    /// The network `name` (one of `names`) from GenreKit's resources.
    public convenience init(named name: String) throws(PretrainedNetworkError) {
        guard Self.names.contains(name) else { throw .unknown(name: name, available: Self.names) }
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")
        guard let folder = Resources.path("musicnn", module: "GenrePretrained", sourceFolder: sources) else {
            throw .missing(path: "musicnn/\(name).json")
        }
        let base = URL(fileURLWithPath: folder).appendingPathComponent(name)
        try self.init(description: base.appendingPathExtension("json"), weights: base.appendingPathExtension("safetensors"))
    }

    /// The shipped network `name` as shipped, loaded once per process and shared by everything that
    /// only runs it (feature sets, tagging, frozen front ends); training needs a copy of its own.
    public static func shared(named name: String) throws -> PretrainedNetwork {
        try loaded.withLock { loaded in
            if let network = loaded[name] { return network }
            let network = try PretrainedNetwork(named: name)
            loaded[name] = network
            return network
        }
    }
    private static let loaded = Locked<[String: PretrainedNetwork]>([:])

    /// A network from a converter's JSON description and its safetensors weights.
    public init(description: URL, weights: URL) throws(PretrainedNetworkError) {
        let about = try NetworkDescription.read(description)
        var generator = SeededGenerator(seed: 0)  // the initial weights are all replaced
        do {
            switch about.architecture {
            case "musicnn": network = try MusicnnArchitecture(about, generator: &generator)
            case "vgg": network = try VGGArchitecture(about, generator: &generator)
            default: throw PretrainedNetworkError.damaged(path: description.path, reason: "unknown architecture '\(about.architecture)'")
            }
            sigmoid = try Sigmoid()
        } catch let error as PretrainedNetworkError {
            throw error
        } catch {
            throw .damaged(path: description.path, reason: "its sizes do not make a network: \(error)")
        }
        (name, architecture, tags, intermediateNames) = (about.name, about.architecture, about.tags, about.extractorFeatures)
        try load(weights)
    }

    /// Replaces every parameter and buffer with the file's tensor of its name; the file must hold no others.
    private func load(_ url: URL) throws(PretrainedNetworkError) {
        guard FileManager.default.fileExists(atPath: url.path) else { throw .missing(path: url.path) }
        let expected = network.namedLayers.flatMap { prefix, layer in
            (layer.namedParameters + layer.namedBuffers).map { ("\(prefix).\($0.name)", $0.parameter) }
        }
        do {
            let file = try SafetensorsFile(contentsOf: url)
            guard file.tensors.count == expected.count else {
                throw PretrainedNetworkError.damaged(path: url.path, reason:
                    "it holds \(file.tensors.count) tensors but the \(architecture) architecture has \(expected.count)")
            }
            for (name, parameter) in expected {
                parameter.value = try file.tensor(name, shape: parameter.value.shape, source: url.path)
            }
        } catch let error as PretrainedNetworkError {
            throw error
        } catch {
            throw .damaged(path: url.path, reason: "\(error)")
        }
    }

    /// Patches from `MusicnnInput.patches` as one network input [patches, 1, 96, 187].
    /// Patches run through a network at once: musicnn's front end holds ~45 MB a patch, so this
    /// bounds the activations whatever the song's length.
    public static let patchBatch = 16

    public static func batch(_ patches: [Matrix]) -> Tensor {
        Tensor(shape: [patches.count] + patchShape, scalars: patches.flatMap(\.values))
    }

    /// Every output for patches [N, 1, 96, 187]: "logits" and "taggram" [N, tags] and each of
    /// `intermediateNames` in the axis order of the committed fixtures: NCHW with H = mels,
    /// W = frames (vgg's pools), [N, channels, frames] (musicnn's front and mid end), [N, features].
    public func outputs(_ patches: Tensor) throws -> [String: Tensor] {
        guard patches.shape.count == 4, patches.shape[0] > 0, Array(patches.shape.dropFirst()) == Self.patchShape else {
            throw PretrainedNetworkError.badPatches(shape: patches.shape)
        }
        lock.lock()
        defer { lock.unlock() }
        var outputs = try network.outputs(patches)
        outputs["taggram"] = try sigmoid.forward(outputs["logits"]!, training: false)
        return outputs
    }

    /// One probability per tag for each patch: [N, tags].
    public func taggram(_ patches: Tensor) throws -> Tensor { try outputs(patches)["taggram"]! }

    /// One feature vector per patch from the output `layer` (one of `intermediateNames`, "logits" or
    /// "taggram"): pooled layers as they are; for layers with frames or mels ([N, C, W] or
    /// [N, C, H, W]) the mean of each channel over them, so the vector has one value a channel.
    /// musicnn's "penultimate" (200) and "max_pool"/"mean_pool" (753) are the usual choices.
    public func embeddings(of patches: Tensor, layer: String) throws -> [[Float]] {
        try embeddings(of: patches, layers: [layer])
    }

    /// The vectors of several outputs side by side, from one pass of the network.
    public func embeddings(of patches: Tensor, layers: [String]) throws -> [[Float]] {
        let available = intermediateNames + ["logits", "taggram"]
        if let unknown = layers.first(where: { !available.contains($0) }) {
            throw PretrainedNetworkError.unknownOutput(name: unknown, available: available)
        }
        let all = try outputs(patches)
        var vectors = [[Float]](repeating: [], count: patches.shape[0])
        for layer in layers {
            let output = all[layer]!
            let (batch, channels) = (output.shape[0], output.shape[1])
            let positions = output.count / (batch * channels)
            for n in 0 ..< batch {
                vectors[n] += (0 ..< channels).map { c in
                    let start = (n * channels + c) * positions
                    return Float(output.scalars[start ..< start + positions].reduce(0.0) { $0 + Double($1) } / Double(positions))
                }
            }
        }
        return vectors
    }
}

public enum PretrainedNetworkError: Error, CustomStringConvertible, Equatable {
    case unknown(name: String, available: [String])
    case missing(path: String)
    case damaged(path: String, reason: String)
    case badPatches(shape: [Int])
    case unknownOutput(name: String, available: [String])

    public var description: String {
        switch self {
        case .unknown(let name, let available):
            "no pre-trained network '\(name)': choose one of \(available.joined(separator: ", "))"
        case .missing(let path): "\(path): no such file; GenreKit's musicnn resources are incomplete (scripts/convert-musicnn.sh makes them)"
        case .damaged(let path, let reason): "\(path) is damaged: \(reason); scripts/convert-musicnn.sh makes it again"
        case .badPatches(let shape):
            "the network takes patches [count, \(PretrainedNetwork.patchShape.map(String.init).joined(separator: ", "))] from MusicnnInput, not \(shape)"
        case .unknownOutput(let name, let available): "the network has no output '\(name)': choose one of \(available.joined(separator: ", "))"
        }
    }
}

/// What GenreKit reads of a converter's JSON description (scripts/convert_musicnn.py writes more).
struct NetworkDescription: Decodable {
    let name: String
    let architecture: String
    let tags: [String]
    let extractorFeatures: [String]
    let hyperparameters: [String: JSONNumberOrText]
    /// Where it was read from, for errors.
    private(set) var path = ""

    enum CodingKeys: String, CodingKey {
        case name, architecture, tags, hyperparameters
        case extractorFeatures = "extractor_features"
    }

    static func read(_ url: URL) throws(PretrainedNetworkError) -> NetworkDescription {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .missing(path: url.path) }
        do {
            var description = try JSONDecoder().decode(NetworkDescription.self, from: data)
            description.path = url.path
            return description
        } catch {
            throw .damaged(path: url.path, reason: "not a network description (\(error))")
        }
    }

    /// The whole-number hyper-parameter `key`, e.g. "timbral_filters".
    func size(_ key: String) throws(PretrainedNetworkError) -> Int {
        guard case .number(let value)? = hyperparameters[key], value > 0, value == value.rounded() else {
            throw .damaged(path: path, reason: "hyperparameters.\(key) is not a positive whole number")
        }
        return Int(value)
    }

    var epsilon: Float {
        get throws(PretrainedNetworkError) {
            guard case .number(let value)? = hyperparameters["batch_norm_epsilon"], value > 0 else {
                throw .damaged(path: path, reason: "hyperparameters.batch_norm_epsilon is not a positive number")
            }
            return Float(value)
        }
    }
}

/// A hyper-parameter's value: the sizes are numbers; descriptions and lists are kept but not read.
enum JSONNumberOrText: Decodable {
    case number(Double)
    case other

    init(from decoder: any Decoder) throws {
        self = (try? decoder.singleValueContainer().decode(Double.self)).map(JSONNumberOrText.number) ?? .other
    }
}
