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
    case fcn5
    case crnn
    case temporalCNN = "temporal-cnn"
    case cnnLSTM = "cnn-lstm"
    case mobileNetV2 = "mobilenet-v2"
    case efficientNetB0 = "efficientnet-b0"
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
        case .fcn5: "FCN-5, fully convolutional (Choi, Fazekas & Sandler 2016; GenreNN)"
        case .crnn: "CRNN, convolutional recurrent (Choi, Fazekas, Sandler & Cho 2017; GenreNN)"
        case .temporalCNN: "temporal CNN with mean and max pooling over time (after Dieleman & Schrauwen 2014; GenreNN)"
        case .cnnLSTM: "CNN-LSTM with a time-weighted probability average (GenreNN)"
        case .mobileNetV2: "MobileNetV2, inverted residuals (Sandler, Howard, Zhu, Zhmoginov & Chen 2018; GenreNN)"
        case .efficientNetB0: "EfficientNet-B0, MBConv with squeeze-and-excitation and swish (Tan & Le 2019; from scratch, no pre-trained weights here; GenreNN)"
        case .musicnnFineTune: "MSD musicnn fine-tuned (GenreNN)"
        }
    }

    /// The network behind the kind, for the networks GenreNN trains.
    public var architecture: NetworkArchitecture? { NetworkArchitecture(rawValue: rawValue) }

    /// The feature set the kind takes, by default and only: its networks' log-mel patches, musicnn's
    /// input for the fine-tuned musicnn; nil for the kinds that take any feature rows.
    public var inputSet: String? {
        self == .musicnnFineTune ? MusicnnPatchFeatureSet.setName : architecture?.inputSet?.name
    }

    /// The windows, in seconds, audio is cut into for the kind when `--segment-seconds` is not given:
    /// 3 s for the kinds on patches (their patches are 3 s), whose windows are then combined per
    /// song; nil (whole files) for the others.
    public var defaultSegmentSeconds: Double? { inputSet == nil ? nil : 3 }

    /// Whether the pipeline standardises the features first: a pre-trained network takes its input as
    /// it was trained on, and the image networks scale each patch's decibels to [-1, 1] themselves.
    var standardisesFeatures: Bool { self != .musicnnFineTune && architecture?.isWidthScaled != true }
}

/// A model kind with its settings, as `train` and `evaluate` fit it fold after fold.
public struct ModelChoice: Sendable {
    public let kind: ModelKind
    /// How `musicnn-fine-tune` trains.
    public let fineTuning: FineTuning
    /// The networks' dropout rate; nil for each network's own (`NetworkArchitecture.defaultDropout`).
    public let dropout: Float?
    /// The image networks' width multiplier; nil for `NetworkArchitecture.defaultWidthMultiplier`.
    public let widthMultiplier: Float?
    /// `mobilenet-v2` from ImageNet with this many blocks frozen; nil from scratch.
    public let imageNetFrozenBlocks: Int?
    /// Receives each epoch's progress line while a network trains; nil keeps training silent.
    public let progress: (@Sendable (String) -> Void)?

    public init(_ kind: ModelKind, fineTuning: FineTuning = .init(), dropout: Float? = nil, widthMultiplier: Float? = nil,
                imageNetFrozenBlocks: Int? = nil, progress: (@Sendable (String) -> Void)? = nil) {
        self.kind = kind
        self.fineTuning = fineTuning
        self.dropout = dropout
        self.widthMultiplier = widthMultiplier
        self.imageNetFrozenBlocks = imageNetFrozenBlocks
        self.progress = progress
    }

    /// The untrained model, its random choices drawn from `seed`, with its defaults' hyper-parameters
    /// (scikit-learn's and xgboost's for the classic ones).
    public func make(seed: UInt64) -> AnyClassifier {
        let model: any Classifier = switch kind {
        case .naiveBayes: GaussianNaiveBayes()
        case .knn: KNearestNeighbors()
        case .logistic: LogisticRegression()
        case .linearSVM: LinearSVM(seed: seed)
        case .rbfSVM: SupportVectorMachine(seed: UInt32(truncatingIfNeeded: seed))
        case .tree: DecisionTree(seed: seed)
        case .forest: RandomForest(seed: seed)
        case .xgboost: GradientBoostedTrees(seed: Int(truncatingIfNeeded: seed))
        case .mlp, .edgeCNN, .fcn5, .crnn, .temporalCNN, .cnnLSTM, .mobileNetV2, .efficientNetB0:
            NeuralClassifier(architecture: kind.architecture!, dropout: dropout, widthMultiplier: widthMultiplier,
                             imageNetFrozenBlocks: imageNetFrozenBlocks, seed: seed, progress: progress)
        case .musicnnFineTune: FineTunedMusicnn(settings: fineTuning, seed: seed, progress: progress)
        }
        return AnyClassifier(kind, model)
    }
}

/// Any trained or untrained model of a kind, saved and loaded as `{"<saved name>": {"_0": <model>}}`
/// (the form bundles have always had).
public struct AnyClassifier: Codable, Sendable {
    public let kind: ModelKind
    private var model: any Classifier

    init(_ kind: ModelKind, _ model: any Classifier) {
        self.kind = kind
        self.model = model
    }

    public var classifier: any Classifier { model }

    /// The name a bundle saves a kind's model under: its case of the enum bundles were first written with.
    private static func savedName(of kind: ModelKind) -> String {
        switch kind {
        case .naiveBayes: "naiveBayes"
        case .linearSVM: "linearSVM"
        case .rbfSVM: "rbfSVM"
        case .mlp, .edgeCNN, .fcn5, .crnn, .temporalCNN, .cnnLSTM, .mobileNetV2, .efficientNetB0: "neural"
        case .musicnnFineTune: "fineTuned"
        case .knn, .logistic, .tree, .forest, .xgboost: kind.rawValue
        }
    }

    private struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first,
              let kind = ModelKind.allCases.first(where: { Self.savedName(of: $0) == key.stringValue }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "not one of the models GenreKit knows (\(Set(ModelKind.allCases.map(Self.savedName)).sorted().joined(separator: ", ")))"))
        }
        let payload = try container.nestedContainer(keyedBy: Key.self, forKey: key).superDecoder(forKey: Key(stringValue: "_0"))
        switch kind {
        case .naiveBayes: model = try GaussianNaiveBayes(from: payload)
        case .knn: model = try KNearestNeighbors(from: payload)
        case .logistic: model = try LogisticRegression(from: payload)
        case .linearSVM: model = try LinearSVM(from: payload)
        case .rbfSVM: model = try SupportVectorMachine(from: payload)
        case .tree: model = try DecisionTree(from: payload)
        case .forest: model = try RandomForest(from: payload)
        case .xgboost: model = try GradientBoostedTrees(from: payload)
        case .mlp, .edgeCNN, .fcn5, .crnn, .temporalCNN, .cnnLSTM, .mobileNetV2, .efficientNetB0:
            model = try NeuralClassifier(from: payload)
        case .musicnnFineTune: model = try FineTunedMusicnn(from: payload)
        }
        // The networks share one saved name; the architecture tells them apart.
        self.kind = (model as? NeuralClassifier)?.architecture.kind ?? kind
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        var payload = container.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: Self.savedName(of: kind)))
        try payload.encode(model, forKey: Key(stringValue: "_0"))
    }

    mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try model.fit(x, labels: labels, classCount: classCount)
    }

    func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix { try model.probabilities(x) }
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

    /// Each step of a saved pipeline is fitted and takes the rows the one before gives, and the
    /// classifier gives `classCount` columns: checked when it is read, before anything is sized by them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scaler = try container.decodeIfPresent(StandardScaler.self, forKey: .scaler)
        pca = try container.decodeIfPresent(PCA.self, forKey: .pca)
        classifier = try container.decode(AnyClassifier.self, forKey: .classifier)
        classCount = try container.decode(Int.self, forKey: .classCount)
        guard columns != nil else {
            let shapes = steps.map { "\($0.name): \($0.shape.map { "\($0.columns) -> \($0.outputs) columns" } ?? "not fitted")" }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "its steps (\(shapes.joined(separator: ", "))) do not lead from one to the next and to its \(classCount) classes"))
        }
    }

    /// The width of the rows the fitted pipeline takes; nil before `fit`, or when its steps do not
    /// fit together.
    public var columns: Int? {
        var width = classCount
        for step in steps.reversed() {
            guard let shape = step.shape, shape.outputs == width else { return nil }
            width = shape.columns
        }
        return width
    }

    /// The steps present, in order, with their fitted shapes.
    private var steps: [(name: String, shape: FittedShape?)] {
        (scaler.map { [("standardisation", $0.fittedShape)] } ?? []) + (pca.map { [("PCA", $0.fittedShape)] } ?? [])
            + [(classifier.kind.rawValue, classifier.classifier.fittedShape)]
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
