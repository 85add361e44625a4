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

/// The CPU engine and the one stream every primitive runs on; made once per process.
public final class Engine: @unchecked Sendable {
    let engine: dnnl_engine_t
    private let stream: dnnl_stream_t
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
        self.engine = engine
        self.stream = stream
    }

    deinit {
        dnnl_stream_destroy(stream)
        dnnl_engine_destroy(engine)
    }

    /// Runs `primitive` on the arguments and waits for it. Arguments marked `writes` receive the results.
    func execute(_ primitive: Primitive, _ arguments: inout [Argument]) throws {
        try lock.withLock {
            try arguments.withUnsafeMutableBufferPointer { args in
                try withAddresses(of: args, from: 0, pinned: []) { addresses in
                    var memories: [dnnl_memory_t?] = []
                    defer { memories.forEach { dnnl_memory_destroy($0) } }
                    var execArgs: [dnnl_exec_arg_t] = []
                    for (argument, address) in zip(args, addresses) {
                        var memory: dnnl_memory_t?
                        try withUnsafePointer(to: argument.descriptor) {
                            try check(dnnl_memory_create(&memory, $0, engine, address),
                                      "dnnl_memory_create (\(primitive.name))")
                        }
                        memories.append(memory)
                        execArgs.append(dnnl_exec_arg_t(arg: argument.kind, memory: memory))
                    }
                    try check(dnnl_primitive_execute(primitive.primitive, stream, Int32(execArgs.count), execArgs),
                              "dnnl_primitive_execute (\(primitive.name))")
                    try check(dnnl_stream_wait(stream), "dnnl_stream_wait (\(primitive.name))")
                }
            }
        }
    }

    /// Calls `body` with the base address of every argument's values, valid only inside `body`:
    /// one nested `withUnsafe…BufferPointer` per argument keeps all of them pinned at once.
    private func withAddresses(of args: UnsafeMutableBufferPointer<Argument>, from index: Int,
                               pinned: [UnsafeMutableRawPointer],
                               _ body: ([UnsafeMutableRawPointer]) throws -> Void) throws {
        guard index < args.count else { return try body(pinned) }
        if args[index].writes {
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

/// One memory argument of an execution: its role (`DNNL_ARG_SRC`, ...), layout and values.
struct Argument {
    let kind: Int32
    let descriptor: dnnl_memory_desc_t
    var values: [Float]
    let writes: Bool

    static func input(_ kind: Int32, _ descriptor: dnnl_memory_desc_t, _ values: [Float]) -> Argument {
        Argument(kind: kind, descriptor: descriptor, values: values, writes: false)
    }

    /// A zeroed result buffer the size of `descriptor` (which may be larger than its element count, as
    /// for a pooling workspace).
    static func output(_ kind: Int32, _ descriptor: dnnl_memory_desc_t) -> Argument {
        let bytes = withUnsafePointer(to: descriptor) { dnnl_memory_desc_get_size($0) }
        let count = max(1, (bytes + MemoryLayout<Float>.size - 1) / MemoryLayout<Float>.size)
        return Argument(kind: kind, descriptor: descriptor, values: [Float](repeating: 0, count: count), writes: true)
    }
}

/// A primitive descriptor and its primitive, e.g. one convolution's backward-data pass for one shape.
final class Primitive {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t
    let name: String

    /// `operation` is an initialised oneDNN operation descriptor (`dnnl_convolution_desc_t`, ...);
    /// backward passes need their forward primitive as `hint`.
    convenience init<Operation>(_ operation: Operation, name: String, engine: Engine, hint: Primitive? = nil) throws {
        try self.init(name: name) { descriptor in
            withUnsafePointer(to: operation) {
                dnnl_primitive_desc_create(&descriptor, UnsafeRawPointer($0), nil, engine.engine, hint?.descriptor)
            }
        }
    }

    /// For the primitives made without an operation descriptor (sum, concat, reorder): `describe` makes
    /// the primitive descriptor.
    init(name: String, describe: (inout dnnl_primitive_desc_t?) -> dnnl_status_t) throws {
        self.name = name
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
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// The layout of the workspace this primitive needs or makes (max pooling keeps the argmax there).
    var workspace: dnnl_memory_desc_t { dnnl_primitive_desc_query_md(descriptor, dnnl_query_workspace_md, 0).pointee }
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
