import Foundation
import GenreML
import GenrePretrained

/// The version written into every model bundle's provenance.
public enum GenreKitVersion {
    public static let current = "0.3.0"
}

/// A trained model and everything needed to use it as it was trained: the audio and segment
/// settings, the feature set and columns, the classes, the fitted pipeline, what it scored and
/// where it came from. Saved as one file whose checksum is checked on load.
public struct ModelBundle: Codable, Sendable {
    public struct Provenance: Codable, Sendable {
        /// The training data (a folder, manifest or table) and how many tracks and rows it gave.
        public let data: String
        public let tracks: Int
        public let rows: Int
        /// Which tracks were trained on (`all`, or the list used).
        public let trainedOn: String
        public let created: String
        public let genreKitVersion: String
        public let seed: UInt64

        public init(data: String, tracks: Int, rows: Int, trainedOn: String, created: String,
                    genreKitVersion: String = GenreKitVersion.current, seed: UInt64) {
            self.data = data
            self.tracks = tracks
            self.rows = rows
            self.trainedOn = trainedOn
            self.created = created
            self.genreKitVersion = genreKitVersion
            self.seed = seed
        }
    }

    public let classes: [String]
    public let featureSet: String
    /// The model's input columns, a subset of the feature set's, in order.
    public let columns: [String]
    public let sampleRate: Int
    /// Window length and hop of the segments the model was trained on; nil for whole clips.
    public let segmentSeconds: Double?
    public let hopSeconds: Double?
    /// How a song's window probabilities are combined unless the user says otherwise.
    public let aggregation: Aggregation
    public let pipeline: ModelPipeline
    /// How the same configuration scored when it was evaluated before training on all the data.
    public let evaluations: [EvaluationResult]
    public let provenance: Provenance

    public init(classes: [String], featureSet: any FeatureSet, columns: [String], segmenter: Segmenter?,
                aggregation: Aggregation, pipeline: ModelPipeline, evaluations: [EvaluationResult],
                provenance: Provenance) {
        self.classes = classes
        self.featureSet = featureSet.name
        self.columns = columns
        self.sampleRate = featureSet.sampleRate
        self.segmentSeconds = segmenter?.segmentSeconds
        self.hopSeconds = segmenter?.hopSeconds
        self.aggregation = aggregation
        self.pipeline = pipeline
        self.evaluations = evaluations
        self.provenance = provenance
    }

    static let magic = "GENREKIT-MODEL 1\n"

    /// The bundle's bytes: a magic line, the SHA-256 of the JSON body, the JSON body.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(self)
        return Data((Self.magic + "sha256 \(ModelBundleChecksum.hex(body))\n").utf8) + body
    }

    /// Writes the bundle atomically: an interrupted save never leaves half a model behind.
    public func write(to path: String) throws(BundleError) {
        do {
            try encoded().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// Reads and checks a bundle: its checksum, that its parts agree with each other and with
    /// this version of GenreKit, and that the model answers a probe row.
    public init(contentsOf path: String) throws(BundleError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw errno == ENOENT ? .missing(path: path) : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        // Only a regular file is read: a pipe would block and a device never end.
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .unreadable(path: path, reason: "it is a folder; give the bundle file (.genremodel) itself")
        default: throw .unreadable(path: path, reason: "it is not a regular file (a device, pipe or socket)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: String(cString: strerror(access(path, R_OK) == 0 ? EIO : errno)))
        }
        try self.init(data: data, path: path)
    }

    /// Reads and checks a bundle from its bytes, as `init(contentsOf:)` does; `path` names it in errors.
    /// Whatever the bytes, this throws or gives a bundle whose model answers, without crashing and
    /// with time and memory bounded by the bytes' size.
    public init(data: Data, path: String) throws(BundleError) {
        let magic = Data(Self.magic.utf8)
        guard data.starts(with: magic) else { throw .notABundle(path: path) }
        let rest = data.dropFirst(magic.count)
        guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")),
              let checksumLine = String(data: rest[..<newline], encoding: .utf8), checksumLine.hasPrefix("sha256 ")
        else { throw .damaged(path: path, reason: "its checksum line is missing") }
        let body = rest[rest.index(after: newline)...]
        guard ModelBundleChecksum.hex(body) == checksumLine.dropFirst("sha256 ".count) else {
            throw .damaged(path: path, reason: "its content does not match its checksum (truncated or edited)")
        }
        do {
            self = try JSONDecoder().decode(ModelBundle.self, from: body)
        } catch {
            throw .damaged(path: path, reason: "its content cannot be read: \(error)")
        }
        try check(path: path)
    }

    /// The parts' sizes are checked against each other before the model runs, since they size what
    /// it allocates; the pipeline's steps were checked against each other when it was read.
    private func check(path: String) throws(BundleError) {
        let set = try Self.featureSet(named: featureSet, path: path)
        guard !classes.isEmpty, Set(classes).count == classes.count, pipeline.classCount == classes.count else {
            throw .damaged(path: path, reason: "its classes do not match its model")
        }
        let known = Set(set.columns)
        guard !columns.isEmpty, columns.allSatisfy(known.contains) else {
            throw .incompatible(path: path, reason: "its columns are not all columns of \(featureSet)")
        }
        guard pipeline.columns == columns.count else { throw .damaged(path: path, reason: "its columns do not match its model") }
        guard sampleRate == set.sampleRate else { throw .damaged(path: path, reason: "its sample rate is not its feature set's") }
        if let segmentSeconds {
            let windows: Segmenter
            do { windows = try Segmenter(segmentSeconds: segmentSeconds, hopSeconds: hopSeconds) } catch {
                throw .damaged(path: path, reason: "its windows are invalid: \(error)")
            }
            // Each window is copied out of the song: overlapping windows by more than nine tenths
            // would multiply a song's memory more than tenfold, and a window too short for the
            // features makes each a failure.
            guard windows.segmentSeconds * Double(sampleRate) >= Double(set.minimumSamples),
                  windows.hopSeconds >= windows.segmentSeconds / 10 else {
                throw .damaged(path: path, reason: "its windows (\(windows.segmentSeconds) s every \(windows.hopSeconds) s) are shorter "
                    + "than one analysis frame or overlap by more than nine tenths")
            }
        }
        do {
            let probe = try pipeline.probabilities(RowMatrix(rows: 1, columns: columns.count))
            guard probe.columns == classes.count, probe.values.allSatisfy(\.isFinite) else {
                throw ModelError.corruptState("the model's output does not fit its classes")
            }
        } catch {
            throw .damaged(path: path, reason: "its model does not work: \(error)")
        }
    }

    /// The feature set `name`, for the bundle at `path`: a set this GenreKit does not know makes the
    /// bundle incompatible; one it knows but cannot make (missing resources) says why.
    static func featureSet(named name: String, path: String) throws(BundleError) -> any FeatureSet {
        do {
            return try FeatureCatalog.named(name)
        } catch FeatureCatalogError.unknown {
            throw .incompatible(path: path, reason: "it needs feature set '\(name)', which this GenreKit lacks")
        } catch {
            throw .incompatible(path: path, reason: "its feature set '\(name)' cannot be made: \(error)")
        }
    }

    /// The segmenter the model was trained with, nil for whole-clip models (checked when the bundle
    /// was read).
    public var segmenter: Segmenter? {
        segmentSeconds.flatMap { try? Segmenter(segmentSeconds: $0, hopSeconds: hopSeconds) }
    }
}

/// Why a model bundle cannot be saved or used.
public enum BundleError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case notABundle(path: String)
    case unreadable(path: String, reason: String)
    case damaged(path: String, reason: String)
    case incompatible(path: String, reason: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): "\(path): no such model bundle"
        case .notABundle(let path): "\(path): not a GenreKit model bundle"
        case .unreadable(let path, let reason): "\(path) cannot be read as a model bundle: \(reason)"
        case .damaged(let path, let reason): "\(path): the model bundle is damaged: \(reason); train or copy it again"
        case .incompatible(let path, let reason): "\(path): the model bundle cannot be used: \(reason)"
        case .unwritable(let path, let reason): "cannot write the model bundle \(path): \(reason)"
        }
    }
}
