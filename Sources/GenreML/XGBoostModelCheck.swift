/// What a saved XGBoost model must be before XGBoost reads it: the model `XGBoostBooster` trains,
/// as XGBoost 1.7 saves it. XGBoost trusts what it reads: lengths in its UBJSON reader (a flipped
/// byte makes it read past the buffer or allocate gigabytes), and node, parent, feature and class
/// indices in its loader and predictor. So the model is parsed here first with `UBJSON`, which
/// checks every length, and then checked field by field: exactly the fields XGBoost writes, every
/// per-node array as long as the tree, every node a prediction can reach reached once from the
/// root, children and parents in the tree, split features among the columns, one tree per class in
/// each round, and values small enough that a row's sum of them stays finite. Only then does
/// XGBoost get the bytes.
enum XGBoostModelCheck {
    static func check(_ model: [UInt8]) throws(ModelError) {
        let root = try Field(try UBJSON(parsing: model), "model").object(["learner", "version"])
        guard try root["version"].array().count == 3 else { throw root["version"].fail("is not three numbers") }
        let learner = try root["learner"].object(["attributes", "feature_names", "feature_types", "gradient_booster",
                                                   "learner_model_param", "objective"])
        // GenreKit sets none of these; feature types could declare categorical splits, which are not checked here.
        _ = try learner["attributes"].object([])
        for name in ["feature_names", "feature_types"] {
            guard try learner[name].array().isEmpty else { throw learner[name].fail("is not empty") }
        }
        let parameters = try learner["learner_model_param"].object(["base_score", "boost_from_average", "num_class",
                                                                     "num_feature", "num_target"])
        let classes = try parameters["num_class"].count(in: 2 ... Int(Int32.max))
        let features = try parameters["num_feature"].count(in: 1 ... Int(Int32.max))
        try parameters["num_target"].expect("1")
        let objective = try learner["objective"].object(["name", "softmax_multiclass_param"])
        try objective["name"].expect("multi:softprob")
        try objective["softmax_multiclass_param"].object(["num_class"])["num_class"].expect("\(classes)")

        let booster = try learner["gradient_booster"].object(["model", "name"])
        try booster["name"].expect("gbtree")
        let ensemble = try booster["model"].object(["gbtree_model_param", "tree_info", "trees"])
        let ensembleParameters = try ensemble["gbtree_model_param"].object(["num_parallel_tree", "num_trees", "size_leaf_vector"])
        try ensembleParameters["num_parallel_tree"].expect("1")
        try ensembleParameters["size_leaf_vector"].expect("0")
        let trees = try ensemble["trees"].array()
        try ensembleParameters["num_trees"].expect("\(trees.count)")
        // Each round adds one tree per class, in class order: every class has trees, so the class
        // count is bounded by the model's size, and the predictor adds each tree into its class.
        let treeClasses = try ensemble["tree_info"].array()
        guard !trees.isEmpty, trees.count % classes == 0, treeClasses.count == trees.count else {
            throw ensemble["tree_info"].fail("does not give \(trees.count) trees in rounds of \(classes) classes")
        }
        for (index, treeClass) in treeClasses.enumerated() {
            guard try treeClass.integer() == index % classes else { throw treeClass.fail("is not class \(index % classes)") }
        }
        // A row's margin is the base score plus a leaf of each tree, summed in float32.
        let largest = Float.greatestFiniteMagnitude / Float(trees.count + 1)
        guard case .string(let base) = parameters["base_score"].value, let score = Float(base), abs(score) <= largest else {
            throw parameters["base_score"].fail("is not a number of at most \(largest)")
        }
        for (index, tree) in trees.enumerated() { try checkTree(tree, index: index, features: features, largestLeaf: largest) }
    }

    private static func checkTree(_ tree: Field, index: Int, features: Int, largestLeaf: Float) throws(ModelError) {
        let fields = try tree.object([
            "base_weights", "categories", "categories_nodes", "categories_segments", "categories_sizes", "default_left",
            "id", "left_children", "loss_changes", "parents", "right_children", "split_conditions", "split_indices",
            "split_type", "sum_hessian", "tree_param",
        ])
        // XGBoost places each tree by its id.
        guard try fields["id"].integer() == index else { throw fields["id"].fail("is not \(index)") }
        let parameters = try fields["tree_param"].object(["num_deleted", "num_feature", "num_nodes", "size_leaf_vector"])
        let nodes = try parameters["num_nodes"].count(in: 1 ... Int(Int32.max))
        try parameters["num_feature"].expect("\(features)")
        try parameters["size_leaf_vector"].expect("0")
        // XGBoost itself refuses a num_deleted that does not count the nodes marked deleted.
        let left = try fields["left_children"].int32s(count: nodes)
        let right = try fields["right_children"].int32s(count: nodes)
        let parents = try fields["parents"].int32s(count: nodes)
        let splitFeatures = try fields["split_indices"].int32s(count: nodes)
        // A split's threshold, or a leaf's value.
        let conditions = try fields["split_conditions"].floats(count: nodes)
        for name in ["loss_changes", "sum_hessian", "base_weights"] { _ = try fields[name].floats(count: nodes) }
        _ = try fields["default_left"].bytes(count: nodes)
        guard try fields["split_type"].bytes(count: nodes).allSatisfy({ $0 == 0 }) else {
            throw fields["split_type"].fail("has categorical splits")
        }
        _ = try fields["categories"].int32s(count: 0)
        _ = try fields["categories_nodes"].int32s(count: 0)
        _ = try fields["categories_segments"].int64s(count: 0)
        _ = try fields["categories_sizes"].int64s(count: 0)

        // Loading links every node but the root to its parent, deleted nodes too.
        guard parents.dropFirst().allSatisfy({ (0 ..< nodes).contains(Int($0)) }) else {
            throw fields["parents"].fail("names a node outside the tree")
        }
        // Prediction walks from the root until a node without a left child (a leaf).
        var reached = [Bool](repeating: false, count: nodes)
        var pending = [0]
        while let node = pending.popLast() {
            guard !reached[node] else { throw tree.fail("reaches node \(node) twice") }
            reached[node] = true
            guard left[node] != -1 else {
                guard abs(conditions[node]) <= largestLeaf else { throw tree.fail("has a leaf \(node) beyond \(largestLeaf)") }
                continue
            }
            let children = [Int(left[node]), Int(right[node])]
            guard children.allSatisfy((0 ..< nodes).contains), (0 ..< features).contains(Int(splitFeatures[node])),
                  conditions[node].isFinite else {
                throw tree.fail("has a split \(node) whose children or feature are out of range, or threshold not finite")
            }
            pending += children
        }
    }
}

/// A value of the model and where it is, for errors that point at it.
private struct Field {
    let value: UBJSON
    let path: String

    init(_ value: UBJSON, _ path: String) {
        self.value = value
        self.path = path
    }

    func fail(_ why: String) -> ModelError { .corruptState("the XGBoost model's \(path) \(why)") }

    /// The members of an object that has exactly `keys`.
    func object(_ keys: Set<String>) throws(ModelError) -> Members {
        guard case .object(let members) = value, Set(members.keys) == keys else {
            throw fail("is not an object of \(keys.sorted().joined(separator: ", "))")
        }
        return Members(members: members, path: path)
    }

    func array() throws(ModelError) -> [Field] {
        guard case .array(let values) = value else { throw fail("is not an array") }
        return values.enumerated().map { Field($1, "\(path)[\($0)]") }
    }

    func integer() throws(ModelError) -> Int64 {
        guard case .integer(let integer) = value else { throw fail("is not an integer") }
        return integer
    }

    /// XGBoost saves its parameters as text.
    func expect(_ text: String) throws(ModelError) {
        guard value == .string(text) else { throw fail("is not \"\(text)\"") }
    }

    /// A parameter that is a count, saved as decimal text.
    func count(in range: ClosedRange<Int>) throws(ModelError) -> Int {
        guard case .string(let text) = value, let count = Int(text), "\(count)" == text, range.contains(count) else {
            throw fail("is not a count in \(range)")
        }
        return count
    }

    func floats(count: Int) throws(ModelError) -> [Float] {
        try typed(count, "float32") { if case .floats(let values) = $0 { values } else { nil } }
    }

    func bytes(count: Int) throws(ModelError) -> [UInt8] {
        try typed(count, "uint8") { if case .bytes(let values) = $0 { values } else { nil } }
    }

    func int32s(count: Int) throws(ModelError) -> [Int32] {
        try typed(count, "int32") { if case .int32s(let values) = $0 { values } else { nil } }
    }

    func int64s(count: Int) throws(ModelError) -> [Int64] {
        try typed(count, "int64") { if case .int64s(let values) = $0 { values } else { nil } }
    }

    /// The values of a typed array of `count` elements, which `values` takes from the right case.
    private func typed<T>(_ count: Int, _ type: String, _ values: (UBJSON) -> [T]?) throws(ModelError) -> [T] {
        guard let values = values(value), values.count == count else { throw fail("is not \(count) \(type) numbers") }
        return values
    }
}

/// The members of an object whose keys were checked.
private struct Members {
    let members: [String: UBJSON]
    let path: String

    subscript(key: String) -> Field { Field(members[key]!, "\(path).\(key)") }
}
