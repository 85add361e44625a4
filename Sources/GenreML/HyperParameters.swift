/// Refuses hyper-parameters that are not positive finite numbers, naming the first one.
func requirePositive(_ parameters: KeyValuePairs<String, Double>) throws(ModelError) {
    for (name, value) in parameters where !(value > 0 && value.isFinite) {
        throw .invalidParameter("\(name) must be a positive finite number, got \(value)")
    }
}
