import CDNNL
import Foundation

/// A oneDNN call that did not succeed.
public struct DNNLError: Error, CustomStringConvertible, Equatable {
    public enum Status: Equatable, Sendable {
        case outOfMemory, invalidArguments, unimplemented, runtimeError, other(String)
    }

    /// The oneDNN function that failed, e.g. `dnnl_primitive_desc_create (Conv2D forward)`.
    public let call: String
    public let status: Status

    public var description: String {
        switch status {
        case .outOfMemory: "oneDNN \(call): out of memory; use smaller batches"
        case .invalidArguments: "oneDNN \(call): invalid arguments; check the tensor shapes and layer settings"
        case .unimplemented:
            "oneDNN \(call): no implementation for these shapes and settings on this CPU; change the kernel, stride or padding"
        case .runtimeError: "oneDNN \(call): runtime error"
        case .other(let name): "oneDNN \(call) failed: \(name)"
        }
    }

    init(call: String, status: dnnl_status_t) {
        self.call = call
        switch status {
        case dnnl_out_of_memory: self.status = .outOfMemory
        case dnnl_invalid_arguments: self.status = .invalidArguments
        case dnnl_unimplemented: self.status = .unimplemented
        case dnnl_runtime_error: self.status = .runtimeError
        default: self.status = .other(String(cString: dnnl_status2str(status)))
        }
    }
}

/// Throws a `DNNLError` naming `call` unless `status` is success.
func check(_ status: dnnl_status_t, _ call: @autoclosure () -> String) throws {
    guard status == dnnl_success else { throw DNNLError(call: call(), status: status) }
}

/// The size of oneDNN's OpenMP team for each execution. A parallel region costs a few microseconds
/// of start and join, and much more when a team thread has to wait for a core another process holds
/// (a 4-layer MLP trained 30x slower on two threads than on one on a busy machine), so small
/// executions run on the calling thread alone, as PyTorch's grain size does for its own loops.
/// Primitives are always made for every core: oneDNN sizes per-thread scratch space at creation,
/// and running a primitive on more threads than it was made for overruns it.
enum OpenMP {
    /// Elements of the largest operand from which a primitive gets every core.
    static let grainSize = 1 << 16
    private static let cores = ProcessInfo.processInfo.activeProcessorCount
    /// libgomp's `omp_set_num_threads`, which oneDNN's OpenMP build reads; looked up because GenreNN
    /// links libdnnl, not libgomp. Nil if the oneDNN build is not OpenMP's: then oneDNN decides alone.
    private nonisolated(unsafe) static let setNumThreads: (@convention(c) (Int32) -> Void)? = {
        dlsym(dlopen(nil, RTLD_NOW), "omp_set_num_threads").map {
            unsafeBitCast($0, to: (@convention(c) (Int32) -> Void).self)
        }
    }()

    /// Sets the calling thread's team size to every core, for making primitives.
    static func setThreadsForCreation() { setNumThreads?(Int32(cores)) }

    /// Sets the calling thread's team size for an execution whose largest operand has `elements`.
    static func setThreads(for elements: Int) {
        setNumThreads?(Int32(elements >= grainSize ? cores : 1))
    }
}

/// The CPU engine and the one stream every primitive runs on; made once per process.
public final class Engine: @unchecked Sendable {
    let engine: dnnl_engine_t
    private let stream: dnnl_stream_t
    /// Every primitive is made with its own scratchpad (`dnnl_scratchpad_mode_user`): oneDNN's default
    /// keeps one per thread, grown when a primitive is made, so a primitive made on one thread and
    /// run on another (a feature set made while parsing the command line, used by the workers)
    /// overruns a scratchpad that was never grown.
    let attributes: dnnl_primitive_attr_t
    /// oneDNN engines are thread-safe but a stream is not: executions are serialised.
    private let lock = NSLock()

    private static let made = Result { try Engine() }

    /// The process-wide CPU engine.
    public static func shared() throws -> Engine { try made.get() }

    private init() throws {
        var engine: dnnl_engine_t?
        try check(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        var stream: dnnl_stream_t?
        let status = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue)
        guard status == dnnl_success, let engine, let stream else {
            dnnl_engine_destroy(engine)
            throw DNNLError(call: "dnnl_stream_create", status: status)
        }
        var attributes: dnnl_primitive_attr_t?
        let made = dnnl_primitive_attr_create(&attributes)
        guard made == dnnl_success, let attributes,
              dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user) == dnnl_success else {
            dnnl_primitive_attr_destroy(attributes)
            dnnl_stream_destroy(stream)
            dnnl_engine_destroy(engine)
            throw DNNLError(call: "dnnl_primitive_attr_create", status: made == dnnl_success ? dnnl_runtime_error : made)
        }
        self.engine = engine
        self.stream = stream
        self.attributes = attributes
    }

    deinit {
        dnnl_primitive_attr_destroy(attributes)
        dnnl_stream_destroy(stream)
        dnnl_engine_destroy(engine)
    }

    /// Runs `primitive` on the arguments and waits for it. Arguments marked `writes` receive the results.
    func execute(_ primitive: Primitive, _ arguments: inout [Argument]) throws {
        try lock.withLock {
            OpenMP.setThreads(for: arguments.map { $0.buffer?.elements ?? $0.values.count }.max() ?? 0)
            try arguments.withUnsafeMutableBufferPointer { args in
                try withAddresses(of: args, from: 0, pinned: []) { addresses in
                    var made: [dnnl_memory_t?] = []
                    defer { made.forEach { dnnl_memory_destroy($0) } }
                    var execArgs: [dnnl_exec_arg_t] = []
                    for (argument, address) in zip(args, addresses) {
                        var memory = argument.buffer?.memory
                        if let address {
                            try withUnsafePointer(to: argument.descriptor) {
                                try check(dnnl_memory_create(&memory, $0, engine, address),
                                          "dnnl_memory_create (\(primitive.name))")
                            }
                            made.append(memory)
                        }
                        execArgs.append(dnnl_exec_arg_t(arg: argument.kind, memory: memory))
                    }
                    if let scratchpad = primitive.scratchpad {
                        execArgs.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: scratchpad.memory))
                    }
                    try check(dnnl_primitive_execute(primitive.primitive, stream, Int32(execArgs.count), execArgs),
                              "dnnl_primitive_execute (\(primitive.name))")
                    try check(dnnl_stream_wait(stream), "dnnl_stream_wait (\(primitive.name))")
                }
            }
        }
    }

    /// Calls `body` with the base address of every argument's values (nil for a `Buffer`), valid only
    /// inside `body`: one nested `withUnsafe…BufferPointer` per argument keeps all of them pinned at once.
    private func withAddresses(of args: UnsafeMutableBufferPointer<Argument>, from index: Int,
                               pinned: [UnsafeMutableRawPointer?],
                               _ body: ([UnsafeMutableRawPointer?]) throws -> Void) throws {
        guard index < args.count else { return try body(pinned) }
        if args[index].buffer != nil {
            try withAddresses(of: args, from: index + 1, pinned: pinned + [nil], body)
        } else if args[index].writes {
            try args[index].values.withUnsafeMutableBufferPointer {
                try withAddresses(of: args, from: index + 1, pinned: pinned + [UnsafeMutableRawPointer($0.baseAddress!)], body)
            }
        } else {
            // Inputs are only read by oneDNN, so they need no unique (copied) buffer.
            try args[index].values.withUnsafeBufferPointer {
                let address = UnsafeMutableRawPointer(mutating: $0.baseAddress!)
                try withAddresses(of: args, from: index + 1, pinned: pinned + [address], body)
            }
        }
    }
}

/// One memory argument of an execution: its role (`DNNL_ARG_SRC`, ...), layout and values, or a
/// `Buffer` that oneDNN keeps between executions.
struct Argument {
    let kind: Int32
    let descriptor: dnnl_memory_desc_t
    var values: [Float]
    let writes: Bool
    var buffer: Buffer? = nil

    static func input(_ kind: Int32, _ descriptor: dnnl_memory_desc_t, _ values: [Float]) -> Argument {
        Argument(kind: kind, descriptor: descriptor, values: values, writes: false)
    }

    /// A result buffer the size of `descriptor` (which may be larger than its element count, as for a
    /// pooling workspace). Not zeroed: oneDNN writes every element of a result.
    static func output(_ kind: Int32, _ descriptor: dnnl_memory_desc_t) -> Argument {
        let count = floats(descriptor)
        let values = [Float](unsafeUninitializedCapacity: count) { $1 = count }
        return Argument(kind: kind, descriptor: descriptor, values: values, writes: true)
    }

    /// A result buffer of zeros, for the primitives that add their results to it (the RNN's weight and
    /// bias gradients).
    static func zeroed(_ kind: Int32, _ descriptor: dnnl_memory_desc_t) -> Argument {
        Argument(kind: kind, descriptor: descriptor, values: [Float](repeating: 0, count: floats(descriptor)), writes: true)
    }

    /// How many floats hold a tensor of layout `descriptor`, at least one.
    private static func floats(_ descriptor: dnnl_memory_desc_t) -> Int {
        let bytes = withUnsafePointer(to: descriptor) { dnnl_memory_desc_get_size($0) }
        return max(1, (bytes + MemoryLayout<Float>.size - 1) / MemoryLayout<Float>.size)
    }

    /// `buffer` read or written in place.
    static func buffer(_ kind: Int32, _ buffer: Buffer) -> Argument {
        Argument(kind: kind, descriptor: buffer.layout, values: [], writes: true, buffer: buffer)
    }
}

/// Memory that oneDNN allocates and keeps between executions, in a layout a primitive chose (blocked,
/// bfloat16): made once per pass instead of once per batch.
final class Buffer {
    let memory: dnnl_memory_t
    let layout: dnnl_memory_desc_t
    /// Floats of storage, padding included.
    var elements: Int { withUnsafePointer(to: layout) { dnnl_memory_desc_get_size($0) } / MemoryLayout<Float>.size }

    init(_ layout: dnnl_memory_desc_t, engine: Engine) throws {
        var memory: dnnl_memory_t?
        // DNNL_MEMORY_ALLOCATE, a macro Swift does not import.
        let allocate = UnsafeMutableRawPointer(bitPattern: -1)
        try withUnsafePointer(to: layout) {
            try check(dnnl_memory_create(&memory, $0, engine.engine, allocate), "dnnl_memory_create (buffer)")
        }
        self.memory = memory!
        self.layout = layout
    }

    deinit { dnnl_memory_destroy(memory) }
}

/// A primitive descriptor and its primitive, e.g. one convolution's backward-data pass for one shape.
final class Primitive {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t
    let name: String
    /// Its own scratch memory, if it needs any (see `Engine.attributes`).
    let scratchpad: Buffer?

    /// `operation` is an initialised oneDNN operation descriptor (`dnnl_convolution_desc_t`, ...);
    /// backward passes need their forward primitive as `hint`.
    convenience init<Operation>(_ operation: Operation, name: String, engine: Engine, hint: Primitive? = nil) throws {
        try self.init(name: name, engine: engine) { descriptor in
            withUnsafePointer(to: operation) {
                dnnl_primitive_desc_create(&descriptor, UnsafeRawPointer($0), engine.attributes, engine.engine, hint?.descriptor)
            }
        }
    }

    /// A reorder: the same tensor from one layout or data type to another (or out of a sub-tensor).
    convenience init(reorderFrom source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t, name: String,
                     engine: Engine) throws {
        var source = source, destination = destination
        try self.init(name: name, engine: engine) {
            dnnl_reorder_primitive_desc_create(&$0, &source, engine.engine, &destination, engine.engine, engine.attributes)
        }
    }

    /// For the primitives made without an operation descriptor (sum, concat): `describe` makes the
    /// primitive descriptor, with `engine.attributes`.
    init(name: String, engine: Engine, describe: (inout dnnl_primitive_desc_t?) -> dnnl_status_t) throws {
        self.name = name
        OpenMP.setThreadsForCreation()
        var descriptor: dnnl_primitive_desc_t?
        try check(describe(&descriptor), "dnnl_primitive_desc_create (\(name))")
        var primitive: dnnl_primitive_t?
        let status = dnnl_primitive_create(&primitive, descriptor)
        guard status == dnnl_success, let descriptor, let primitive else {
            dnnl_primitive_desc_destroy(descriptor)
            throw DNNLError(call: "dnnl_primitive_create (\(name))", status: status)
        }
        self.descriptor = descriptor
        self.primitive = primitive
        let scratch = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0).pointee
        scratchpad = withUnsafePointer(to: scratch) { dnnl_memory_desc_get_size($0) } > 0 ? try Buffer(scratch, engine: engine) : nil
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// The layout this primitive uses for one of its tensors, e.g. `dnnl_query_src_md`: the one it
    /// chose where it was given `dnnl_format_tag_any`.
    func layout(_ query: dnnl_query_t) -> dnnl_memory_desc_t { dnnl_primitive_desc_query_md(descriptor, query, 0).pointee }

    /// The layout of the workspace this primitive needs or makes (max pooling keeps the argmax there).
    var workspace: dnnl_memory_desc_t { layout(dnnl_query_workspace_md) }
}

/// Row-major (plain) layout of an f32 tensor: NCHW, OIHW, N x features, as PyTorch stores them.
func plainLayout(_ shape: [Int]) throws -> dnnl_memory_desc_t {
    var descriptor = dnnl_memory_desc_t()
    let tags: [Int: dnnl_format_tag_t] = [1: dnnl_a, 2: dnnl_ab, 3: dnnl_abc, 4: dnnl_abcd, 5: dnnl_abcde]
    guard let tag = tags[shape.count] else {
        throw DNNLError(call: "plainLayout \(shape)", status: dnnl_invalid_arguments)
    }
    try check(dnnl_memory_desc_init_by_tag(&descriptor, Int32(shape.count), shape.map(Int64.init), dnnl_f32, tag),
              "dnnl_memory_desc_init_by_tag \(shape)")
    return descriptor
}

/// [N, C, ...] (one to three spatial axes) with the channels in blocks of the CPU's vector width (nChw8c
/// for AVX2, nChw16c for AVX-512), as oneDNN's fast kernels keep activations.
func channelBlockedLayout(_ shape: [Int]) throws -> dnnl_memory_desc_t {
    let avx512 = dnnl_cpu_isa_avx512_core.rawValue
    let wide = dnnl_get_effective_cpu_isa().rawValue & avx512 == avx512
    let tags: [Int: dnnl_format_tag_t] = wide ? [3: dnnl_aBc16b, 4: dnnl_aBcd16b, 5: dnnl_aBcde16b]
        : [3: dnnl_aBc8b, 4: dnnl_aBcd8b, 5: dnnl_aBcde8b]
    guard let tag = tags[shape.count] else {
        throw DNNLError(call: "channelBlockedLayout \(shape)", status: dnnl_invalid_arguments)
    }
    var descriptor = dnnl_memory_desc_t()
    try check(dnnl_memory_desc_init_by_tag(&descriptor, Int32(shape.count), shape.map(Int64.init), dnnl_f32, tag),
              "dnnl_memory_desc_init_by_tag \(shape) blocked")
    return descriptor
}

/// The layout of a tensor of `shape` left for a primitive to choose (`dnnl_format_tag_any`).
func openLayout(_ shape: [Int], _ dataType: dnnl_data_type_t) throws -> dnnl_memory_desc_t {
    var descriptor = dnnl_memory_desc_t()
    try check(dnnl_memory_desc_init_by_tag(&descriptor, Int32(shape.count), shape.map(Int64.init), dataType,
                                           dnnl_format_tag_any), "dnnl_memory_desc_init_by_tag \(shape) any")
    return descriptor
}

/// One tensor that a primitive keeps in a layout of its choosing: the `Buffer` in that layout and the
/// reorder between it and the plain array a layer takes or gives. Neither exists when the primitive chose
/// the plain layout; the array is then used as it is.
struct Staging {
    let plain: dnnl_memory_desc_t, chosen: dnnl_memory_desc_t
    private let buffer: Buffer?
    private let reorder: Primitive?

    /// The tensor `query` names (`dnnl_query_src_md`, ...) in the layout `primitive` uses for it. `inward`:
    /// the tensor is the primitive's input (reordered from plain), else its result.
    init(plain: dnnl_memory_desc_t, of primitive: Primitive, _ query: dnnl_query_t, inward: Bool, engine: Engine) throws {
        let chosen = primitive.layout(query), name = primitive.name
        self.plain = plain
        self.chosen = chosen
        guard !sameLayout(plain, chosen) else {
            buffer = nil
            reorder = nil
            return
        }
        buffer = try Buffer(chosen, engine: engine)
        reorder = inward ? try Primitive(reorderFrom: plain, to: chosen, name: "\(name) reorder in", engine: engine)
            : try Primitive(reorderFrom: chosen, to: plain, name: "\(name) reorder out", engine: engine)
    }

    /// The argument that gives `values` to the primitive, reordered into the buffer if there is one.
    func input(_ kind: Int32, _ values: [Float], engine: Engine) throws -> Argument {
        guard let buffer, let reorder else { return .input(kind, plain, values) }
        var arguments: [Argument] = [.input(DNNL_ARG_FROM, plain, values), .buffer(DNNL_ARG_TO, buffer)]
        try engine.execute(reorder, &arguments)
        return .buffer(kind, buffer)
    }

    /// The argument for `values` that an earlier `input` call already reordered into the buffer.
    func filled(_ kind: Int32, _ values: [Float]) -> Argument {
        buffer.map { .buffer(kind, $0) } ?? .input(kind, plain, values)
    }

    /// The argument that receives the primitive's result: the buffer, or a new plain array.
    func output(_ kind: Int32) -> Argument { buffer.map { .buffer(kind, $0) } ?? .output(kind, plain) }

    /// The plain values of a result that the primitive wrote into `argument`, made by `output`.
    func result(_ argument: Argument, engine: Engine) throws -> [Float] {
        guard let buffer, let reorder else { return argument.values }
        var arguments: [Argument] = [.buffer(DNNL_ARG_FROM, buffer), .output(DNNL_ARG_TO, plain)]
        try engine.execute(reorder, &arguments)
        return arguments[1].values
    }
}

/// Whether two layouts are the same: shape, data type and memory format.
func sameLayout(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
    var a = a, b = b
    return dnnl_memory_desc_equal(&a, &b) != 0
}
