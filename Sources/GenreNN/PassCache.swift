/// The primitives a layer built for the last input shape it saw: building them costs far more than
/// running them, and a training loop sends the same shape batch after batch.
struct PassCache<Pass> {
    let engine: Engine
    private var last: (shape: [Int], pass: Pass)?

    init() throws { engine = try Engine.shared() }

    mutating func pass(for shape: [Int], make: (Engine) throws -> Pass) throws -> Pass {
        if let last, last.shape == shape { return last.pass }
        let pass = try make(engine)
        last = (shape, pass)
        return pass
    }
}
