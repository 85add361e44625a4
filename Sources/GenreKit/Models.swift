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

    /// The model with its default hyper-parameters (scikit-learn's and xgboost's); `fineTuning` is
    /// read by `musicnn-fine-tune` only.
    public func make(seed: UInt64, fineTuning: FineTuning = .init()) -> ClassifierModel {
        switch self {
        case .naiveBayes: .naiveBayes(GaussianNaiveBayes())
        case .knn: .knn(KNearestNeighbors())
        case .logistic: .logistic(LogisticRegression())
        case .linearSVM: .linearSVM(LinearSVM(seed: seed))
        case .rbfSVM: .rbfSVM(SupportVectorMachine(seed: UInt32(truncatingIfNeeded: seed)))
        case .tree: .tree(DecisionTree(seed: seed))
        case .forest: .forest(RandomForest(seed: seed))
        case .xgboost: .xgboost(GradientBoostedTrees(seed: Int(truncatingIfNeeded: seed)))
        case .mlp: .neural(NeuralClassifier(architecture: .mlp, seed: seed))
        case .edgeCNN: .neural(NeuralClassifier(architecture: .edgeCNN, seed: seed))
        case .musicnnFineTune: .fineTuned(FineTunedMusicnn(settings: fineTuning, seed: seed))
        }
    }
}

/// Any one of the classic models, so a bundle can save and load whichever was trained.
public enum ClassifierModel: Codable, Sendable {
    case naiveBayes(GaussianNaiveBayes)
    case knn(KNearestNeighbors)
    case logistic(LogisticRegression)
    case linearSVM(LinearSVM)
    case rbfSVM(SupportVectorMachine)
    case tree(DecisionTree)
    case forest(RandomForest)
    case xgboost(GradientBoostedTrees)
    case neural(NeuralClassifier)
    case fineTuned(FineTunedMusicnn)

    var model: any Classifier {
        switch self {
        case .naiveBayes(let m): m
        case .knn(let m): m
        case .logistic(let m): m
        case .linearSVM(let m): m
        case .rbfSVM(let m): m
        case .tree(let m): m
        case .forest(let m): m
        case .xgboost(let m): m
        case .neural(let m): m
        case .fineTuned(let m): m
        }
    }

    public var kind: ModelKind {
        switch self {
        case .naiveBayes: .naiveBayes
        case .knn: .knn
        case .logistic: .logistic
        case .linearSVM: .linearSVM
        case .rbfSVM: .rbfSVM
        case .tree: .tree
        case .forest: .forest
        case .xgboost: .xgboost
        case .neural(let m): m.architecture.kind
        case .fineTuned: .musicnnFineTune
        }
    }

    mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        func fitted<M: Classifier>(_ model: M) throws(ModelError) -> M {
            var model = model
            try model.fit(x, labels: labels, classCount: classCount)
            return model
        }
        switch self {
        case .naiveBayes(let m): self = .naiveBayes(try fitted(m))
        case .knn(let m): self = .knn(try fitted(m))
        case .logistic(let m): self = .logistic(try fitted(m))
        case .linearSVM(let m): self = .linearSVM(try fitted(m))
        case .rbfSVM(let m): self = .rbfSVM(try fitted(m))
        case .tree(let m): self = .tree(try fitted(m))
        case .forest(let m): self = .forest(try fitted(m))
        case .xgboost(let m): self = .xgboost(try fitted(m))
        case .neural(let m): self = .neural(try fitted(m))
        case .fineTuned(let m): self = .fineTuned(try fitted(m))
        }
    }
}

/// Standardisation (except for a pre-trained network's input), optional PCA, then a classifier: what
/// is fitted on training rows and applied, unchanged, to every row scored or classified later.
public struct ModelPipeline: Codable, Sendable {
    public private(set) var scaler: StandardScaler?
    public private(set) var pca: PCA?
    public private(set) var classifier: ClassifierModel
    public let classCount: Int

    public init(kind: ModelKind, classCount: Int, pcaComponents: Int? = nil, seed: UInt64 = 0,
                fineTuning: FineTuning = .init()) {
        scaler = kind.standardisesFeatures ? StandardScaler() : nil
        pca = pcaComponents.map { PCA(components: $0) }
        classifier = kind.make(seed: seed, fineTuning: fineTuning)
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
        return try classifier.model.probabilities(features)
    }
}
