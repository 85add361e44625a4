import GenreML

/// The models GenreKit trains, by the names the command line knows: the classic estimators and
/// the networks of `NetworkArchitecture`.
public enum ModelKind: String, CaseIterable, Codable, Sendable {
    case naiveBayes = "naive-bayes"
    case knn
    case logistic
    case linearSVM = "linear-svm"
    case rbfSVM = "rbf-svm"
    case tree
    case forest
    case xgboost
    case mlp
    case edgeCNN = "edge-cnn"
    case musicnnFineTune = "musicnn-fine-tune"

    /// The feature-based estimators (`--model all`): every one of them takes any feature rows.
    public static let classic: [ModelKind] = [.naiveBayes, .knn, .logistic, .linearSVM, .rbfSVM, .tree, .forest, .xgboost]

    /// A readable name for reports.
    public var title: String {
        switch self {
        case .naiveBayes: "Gaussian naive Bayes"
        case .knn: "k-nearest neighbours (k=5)"
        case .logistic: "logistic regression"
        case .linearSVM: "linear SVM (SGD)"
        case .rbfSVM: "RBF SVM (libsvm)"
        case .tree: "decision tree"
        case .forest: "random forest (100 trees)"
        case .xgboost: "gradient-boosted trees (XGBoost)"
        case .mlp: "multilayer perceptron (256-128, GenreNN)"
        case .edgeCNN: "edge CNN on log-mel patches (GenreNN)"
        case .musicnnFineTune: "MSD musicnn fine-tuned (GenreNN)"
        }
    }

    /// Whether the pipeline standardises the features first: a pre-trained network takes its input as
    /// it was trained on.
    var standardisesFeatures: Bool { self != .musicnnFineTune }
}

/// A model kind with its settings, as `train` and `evaluate` fit it fold after fold.
public struct ModelChoice: Sendable {
    public let kind: ModelKind
    /// How `musicnn-fine-tune` trains; the other kinds have no settings beyond their defaults.
    public let fineTuning: FineTuning
    /// Receives each epoch's progress line while a network trains; nil keeps training silent.
    public let progress: (@Sendable (String) -> Void)?

    public init(_ kind: ModelKind, fineTuning: FineTuning = .init(), progress: (@Sendable (String) -> Void)? = nil) {
        self.kind = kind
        self.fineTuning = fineTuning
        self.progress = progress
    }

    /// The untrained model, its random choices drawn from `seed`, with its defaults' hyper-parameters
    /// (scikit-learn's and xgboost's for the classic ones).
    public func make(seed: UInt64) -> AnyClassifier {
        switch kind {
        case .naiveBayes: AnyClassifier(GaussianNaiveBayes())
        case .knn: AnyClassifier(KNearestNeighbors())
        case .logistic: AnyClassifier(LogisticRegression())
        case .linearSVM: AnyClassifier(LinearSVM(seed: seed))
        case .rbfSVM: AnyClassifier(SupportVectorMachine(seed: UInt32(truncatingIfNeeded: seed)))
        case .tree: AnyClassifier(DecisionTree(seed: seed))
        case .forest: AnyClassifier(RandomForest(seed: seed))
        case .xgboost: AnyClassifier(GradientBoostedTrees(seed: Int(truncatingIfNeeded: seed)))
        case .mlp: AnyClassifier(NeuralClassifier(architecture: .mlp, seed: seed, progress: progress))
        case .edgeCNN: AnyClassifier(NeuralClassifier(architecture: .edgeCNN, seed: seed, progress: progress))
        case .musicnnFineTune: AnyClassifier(FineTunedMusicnn(settings: fineTuning, seed: seed, progress: progress))
        }
    }
}

/// A classifier as a model kind: the kind it is, and the name a bundle saves it under.
protocol KindOfModel: Classifier {
    var kind: ModelKind { get }
    static var savedName: String { get }
}

/// Any trained or untrained model of a kind, saved and loaded as `{"<savedName>": {"_0": <model>}}`
/// (the form bundles have always had).
public struct AnyClassifier: Codable, Sendable {
    private var model: any KindOfModel

    init(_ model: some KindOfModel) { self.model = model }

    public var kind: ModelKind { model.kind }
    public var classifier: any Classifier { model }

    /// How to read each type a bundle may hold, by its saved name.
    private static let readers = Dictionary(uniqueKeysWithValues: [
        reader(GaussianNaiveBayes.self), reader(KNearestNeighbors.self), reader(LogisticRegression.self),
        reader(LinearSVM.self), reader(SupportVectorMachine.self), reader(DecisionTree.self), reader(RandomForest.self),
        reader(GradientBoostedTrees.self), reader(NeuralClassifier.self), reader(FineTunedMusicnn.self),
    ])

    private static func reader<Model: KindOfModel>(_: Model.Type) -> (String, @Sendable (any Decoder) throws -> any KindOfModel) {
        (Model.savedName, { try Model(from: $0) })
    }

    private struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first, let read = Self.readers[key.stringValue] else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "not one of the models GenreKit knows (\(Self.readers.keys.sorted().joined(separator: ", ")))"))
        }
        let payload = try container.nestedContainer(keyedBy: Key.self, forKey: key)
        model = try read(try payload.superDecoder(forKey: Key(stringValue: "_0")))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        var payload = container.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: type(of: model).savedName))
        try payload.encode(model, forKey: Key(stringValue: "_0"))
    }

    mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try model.fit(x, labels: labels, classCount: classCount)
    }

    func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix { try model.probabilities(x) }
}

extension GaussianNaiveBayes: KindOfModel {
    var kind: ModelKind { .naiveBayes }
    static var savedName: String { "naiveBayes" }
}
extension KNearestNeighbors: KindOfModel {
    var kind: ModelKind { .knn }
    static var savedName: String { "knn" }
}
extension LogisticRegression: KindOfModel {
    var kind: ModelKind { .logistic }
    static var savedName: String { "logistic" }
}
extension LinearSVM: KindOfModel {
    var kind: ModelKind { .linearSVM }
    static var savedName: String { "linearSVM" }
}
extension SupportVectorMachine: KindOfModel {
    var kind: ModelKind { .rbfSVM }
    static var savedName: String { "rbfSVM" }
}
extension DecisionTree: KindOfModel {
    var kind: ModelKind { .tree }
    static var savedName: String { "tree" }
}
extension RandomForest: KindOfModel {
    var kind: ModelKind { .forest }
    static var savedName: String { "forest" }
}
extension GradientBoostedTrees: KindOfModel {
    var kind: ModelKind { .xgboost }
    static var savedName: String { "xgboost" }
}
extension NeuralClassifier: KindOfModel {
    var kind: ModelKind { architecture.kind }
    static var savedName: String { "neural" }
}
extension FineTunedMusicnn: KindOfModel {
    var kind: ModelKind { .musicnnFineTune }
    static var savedName: String { "fineTuned" }
}

/// Standardisation (except for a pre-trained network's input), optional PCA, then a classifier: what
/// is fitted on training rows and applied, unchanged, to every row scored or classified later.
public struct ModelPipeline: Codable, Sendable {
    public private(set) var scaler: StandardScaler?
    public private(set) var pca: PCA?
    public private(set) var classifier: AnyClassifier
    public let classCount: Int

    public init(_ model: ModelChoice, classCount: Int, pcaComponents: Int? = nil, seed: UInt64 = 0) {
        scaler = model.kind.standardisesFeatures ? StandardScaler() : nil
        pca = pcaComponents.map { PCA(components: $0) }
        classifier = model.make(seed: seed)
        self.classCount = classCount
    }

    public mutating func fit(_ x: RowMatrix, labels: [Int]) throws(ModelError) {
        var features = x
        if var scaler {
            try scaler.fit(x)
            features = try scaler.transform(x)
            self.scaler = scaler
        } else if pca != nil {
            throw .invalidParameter("\(classifier.kind.rawValue) takes its input as it is: PCA does not apply")
        }
        if var fittedPCA = pca {
            try fittedPCA.fit(features)
            features = try fittedPCA.transform(features)
            pca = fittedPCA
        }
        try classifier.fit(features, labels: labels, classCount: classCount)
    }

    /// Class probabilities of each row of `x` (columns as at training).
    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        var features = try scaler?.transform(x) ?? x
        if let pca { features = try pca.transform(features) }
        return try classifier.probabilities(features)
    }
}
