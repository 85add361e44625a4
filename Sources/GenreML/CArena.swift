/// C arrays that live exactly as long as this object: the memory a C struct such as libsvm's
/// `svm_model` or `svm_problem` points into.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    /// A C array holding `values`, freed with the arena.
    func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
        pointer.initialize(from: values, count: values.count)
        blocks.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    deinit {
        for block in blocks { block.deallocate() }
    }
}
