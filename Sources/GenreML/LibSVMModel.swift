import CSVM
import Foundation

/// A trained libsvm C-SVC with the RBF kernel and Platt-scaled probabilities. Its learned numbers
/// are kept as Swift values (`State`, which is what is saved), and an `svm_model` is built from them
/// in memory this object owns, both after training and after loading, so the two paths are one.
///
/// `@unchecked Sendable`: nothing changes after `init`, and libsvm's prediction functions only read
/// the model.
final class LibSVMModel: NativeModel, @unchecked Sendable {
    /// libsvm's `svm_model` fields for C-SVC. Classes are numbered `0..<classCount` and appear in
    /// that order (see `init(training:)`), so libsvm's `label` array is implied.
    struct State: Sendable, Codable {
        var gamma: Double
        /// `nSV`: how many support vectors each class has.
        var supportCounts: [Int]
        /// The support vectors, one row each, grouped by class.
        var supportVectors: RowMatrix
        /// `sv_coef`: `classCount - 1` rows of one coefficient per support vector.
        var coefficients: [Double]
        /// One value per pair of classes (i, j), i < j: the intercepts (`rho`) and Platt's sigmoids.
        var rho: [Double]
        var probA: [Double]
        var probB: [Double]

        /// Why this cannot be used as a libsvm model, or nil when it can.
        var problem: String? {
            let classes = supportCounts.count, pairs = classes * (classes - 1) / 2
            guard classes >= 2 else { return "an SVM needs two classes or more, not \(classes)" }
            guard supportCounts.allSatisfy({ (0 ... Int(Int32.max)).contains($0) }) else {
                return "support vector counts \(supportCounts) out of range"
            }
            let total = supportCounts.reduce(0, +), columns = supportVectors.columns
            guard total > 0, total <= Int32.max, columns > 0, columns < Int32.max,
                  supportVectors.rows == total, supportVectors.values.count == total * columns
            else { return "support vector counts \(supportCounts) do not match a \(supportVectors.rows) x \(columns) matrix" }
            guard coefficients.count == (classes - 1) * total else {
                return "\(coefficients.count) coefficients, expected \(classes - 1) x \(total)"
            }
            guard rho.count == pairs, probA.count == pairs, probB.count == pairs else {
                return "intercepts or sigmoids do not hold one value for each of the \(pairs) pairs of classes"
            }
            guard gamma > 0, gamma.isFinite else { return "gamma \(gamma) is not positive" }
            guard supportVectors.values.allSatisfy(\.isFinite),
                  (coefficients + rho + probA + probB).allSatisfy(\.isFinite)
            else { return "NaN or infinite values" }
            return nil
        }
    }

    let state: State
    private let arena = CArena()
    private let model: UnsafeMutablePointer<svm_model>

    var classCount: Int { state.supportCounts.count }
    var columns: Int { state.supportVectors.columns }

    /// Builds the `svm_model` of a state whose `problem` is nil.
    private init(state: State) {
        _ = Self.silenceLibSVM
        self.state = state
        let total = state.supportVectors.rows, width = state.supportVectors.columns + 1
        let nodes = arena.copy(Self.nodes(state.supportVectors, order: 0 ..< total))
        let coefficients = arena.copy(state.coefficients)
        var built = svm_model()
        built.param = Self.parameter(gamma: state.gamma)
        built.nr_class = Int32(state.supportCounts.count)
        built.l = Int32(total)
        built.SV = arena.copy((0 ..< total).map { Optional(nodes + $0 * width) })
        built.sv_coef = arena.copy((0 ..< built.nr_class - 1).map { Optional(coefficients + Int($0) * total) })
        built.rho = arena.copy(state.rho)
        built.probA = arena.copy(state.probA)
        built.probB = arena.copy(state.probB)
        built.label = arena.copy(Array(0 ..< built.nr_class))
        built.nSV = arena.copy(state.supportCounts.map(Int32.init))
        model = arena.copy([built])
    }

    /// Trains on rows labelled `0..<classCount` with `settings`' hyper-parameters and `gamma`.
    convenience init(training x: RowMatrix, labels: [Int], classCount: Int,
                     settings: SupportVectorMachine, gamma: Double) throws(ModelError) {
        // sklearn's libsvm sorts the classes, Debian's takes them in order of first appearance, and
        // both then group the rows by class, keeping their order. Grouping them here first gives
        // both the same problem in the same order, so the support vectors and decision values agree.
        let order = labels.indices.sorted { (labels[$0], $0) < (labels[$1], $1) }
        let problemMemory = CArena()
        let nodes = problemMemory.copy(Self.nodes(x, order: order))
        var problem = svm_problem(l: Int32(x.rows), y: problemMemory.copy(order.map { Double(labels[$0]) }),
                                  x: problemMemory.copy(order.indices.map { Optional(nodes + $0 * (x.columns + 1)) }))
        var parameter = Self.parameter(gamma: gamma)
        parameter.C = settings.cost
        parameter.eps = settings.tolerance
        parameter.cache_size = settings.cacheMegabytes
        parameter.shrinking = settings.shrinking ? 1 : 0
        parameter.probability = 1
        let state = try withExtendedLifetime(problemMemory) { () throws(ModelError) -> State in
            if let message = svm_check_parameter(&problem, &parameter) {
                throw .invalidParameter("libsvm: " + String(cString: message))
            }
            return try Self.train(&problem, &parameter, seed: settings.seed, classCount: classCount, columns: x.columns)
        }
        if let problem = state.problem { throw .library("libsvm learned an unusable model: \(problem)") }
        self.init(state: state)
    }

    convenience init(from decoder: any Decoder) throws {
        let state = try State(from: decoder)
        if let problem = state.problem { throw corrupt(decoder, problem) }
        self.init(state: state)
    }

    func encode(to encoder: any Encoder) throws {
        try state.encode(to: encoder)
    }

    /// One column per class.
    func probabilities(_ x: RowMatrix) -> RowMatrix {
        eachRow(x, columns: classCount) { svm_predict_probability(model, $0, $1) }
    }

    /// One column per pair of classes (i, j), i < j: positive favours i.
    func decisionValues(_ x: RowMatrix) -> RowMatrix {
        eachRow(x, columns: state.rho.count) { svm_predict_values(model, $0, $1) }
    }

    /// The class that wins most pairwise votes, for each row.
    func votes(_ x: RowMatrix) -> [Int] {
        eachRow(x, columns: 1) { $1.pointee = svm_predict(model, $0) }.values.map { Int($0) }
    }

    /// Calls `predict` with each row of `x` as libsvm nodes and `columns` doubles to fill.
    private func eachRow(_ x: RowMatrix, columns: Int,
                         _ predict: (UnsafePointer<svm_node>, UnsafeMutablePointer<Double>) -> Void) -> RowMatrix {
        var result = RowMatrix(rows: x.rows, columns: columns)
        var output = [Double](repeating: 0, count: columns)
        Self.nodes(x, order: 0 ..< x.rows).withUnsafeBufferPointer { nodes in
            for row in 0 ..< x.rows {
                predict(nodes.baseAddress! + row * (x.columns + 1), &output)
                for column in 0 ..< columns { result[row, column] = Float(output[column]) }
            }
        }
        return result
    }

    /// libsvm prints to stdout unless given a print function, in training and when pairwise
    /// coupling does not converge in prediction (which a saved model's numbers can cause).
    private static let silenceLibSVM: Void = svm_set_print_string_function { _ in }

    /// libsvm keeps its random generator (`rand`, used for Platt scaling's folds) in global state,
    /// so training runs one at a time.
    private static let trainingLock = NSLock()

    private static func train(_ problem: inout svm_problem, _ parameter: inout svm_parameter,
                              seed: UInt32, classCount: Int, columns: Int) throws(ModelError) -> State {
        trainingLock.lock()
        defer { trainingLock.unlock() }
        _ = Self.silenceLibSVM
        srand(seed)
        var trained: UnsafeMutablePointer<svm_model>? = svm_train(&problem, &parameter)
        defer { svm_free_and_destroy_model(&trained) }
        guard let model = trained?.pointee else { throw .library("libsvm could not train") }
        let classes = Int(model.nr_class), total = Int(model.l)
        let labels = (0 ..< classes).map { Int(model.label[$0]) }
        guard labels == Array(0 ..< classCount) else {
            throw .library("libsvm ordered the classes \(labels), expected 0..<\(classCount)")
        }
        var vectors = RowMatrix(rows: total, columns: columns)
        for row in 0 ..< total {
            var node = model.SV[row]!
            while node.pointee.index > 0 {
                vectors[row, Int(node.pointee.index) - 1] = Float(node.pointee.value)
                node += 1
            }
        }
        let pairs = classes * (classes - 1) / 2
        return State(gamma: parameter.gamma,
                     supportCounts: (0 ..< classes).map { Int(model.nSV[$0]) },
                     supportVectors: vectors,
                     coefficients: (0 ..< classes - 1).flatMap { Array(UnsafeBufferPointer(start: model.sv_coef[$0], count: total)) },
                     rho: Array(UnsafeBufferPointer(start: model.rho, count: pairs)),
                     probA: Array(UnsafeBufferPointer(start: model.probA, count: pairs)),
                     probB: Array(UnsafeBufferPointer(start: model.probB, count: pairs)))
    }

    /// The rows of `x` at `order` as libsvm's sparse rows, `x.columns + 1` nodes apart: every column
    /// (1-based index), then the terminating index -1.
    private static func nodes(_ x: RowMatrix, order: some Collection<Int>) -> [svm_node] {
        var nodes: [svm_node] = []
        nodes.reserveCapacity(order.count * (x.columns + 1))
        for row in order {
            for column in 0 ..< x.columns {
                nodes.append(svm_node(index: Int32(column + 1), value: Double(x[row, column])))
            }
            nodes.append(svm_node(index: -1, value: 0))
        }
        return nodes
    }

    /// The kernel part of libsvm's parameters, which is all prediction reads.
    private static func parameter(gamma: Double) -> svm_parameter {
        var parameter = svm_parameter()
        parameter.svm_type = Int32(C_SVC)
        parameter.kernel_type = Int32(RBF)
        parameter.gamma = gamma
        return parameter
    }
}
