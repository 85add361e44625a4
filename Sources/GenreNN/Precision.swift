import CDNNL

/// The number format of the operands of convolutions and inner products. Master weights, gradients,
/// activations between layers and every other layer stay float32 whatever the choice.
public enum Precision: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32
    /// bfloat16 inputs and weights with float32 accumulation and results, on CPUs with native bfloat16
    /// (AVX-512 BF16 or AMX).
    case bfloat16
    /// bfloat16 where the CPU has it natively, else float32.
    case automatic

    public var description: String { rawValue }

    /// Whether oneDNN runs bfloat16 natively here (AVX-512 BF16, AMX), given any `ONEDNN_MAX_CPU_ISA`.
    public static var bfloat16IsNative: Bool {
        let bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return dnnl_get_effective_cpu_isa().rawValue & bf16 == bf16
    }

    /// oneDNN's name for the instruction set it runs on this CPU, e.g. `avx2`, `avx512_core_bf16`.
    public static var instructionSet: String {
        let name = String(cString: dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()))
        return name.hasPrefix("cpu_isa_") ? String(name.dropFirst("cpu_isa_".count)) : name
    }

    /// The precision this one stands for on this CPU: `automatic` resolved.
    public var resolved: Precision {
        self == .automatic ? (Self.bfloat16IsNative ? .bfloat16 : .float32) : self
    }

    /// The oneDNN data type of the operands; bfloat16 on a CPU without it is a `PrecisionError`.
    func operandType() throws -> dnnl_data_type_t {
        switch resolved {
        case .bfloat16:
            guard Self.bfloat16IsNative else {
                throw PrecisionError.bfloat16Unsupported(isa: Self.instructionSet)
            }
            return dnnl_bf16
        default: return dnnl_f32
        }
    }
}

public enum PrecisionError: Error, CustomStringConvertible, Equatable {
    /// `isa` is oneDNN's name for the instruction set it uses on this CPU.
    case bfloat16Unsupported(isa: String)

    public var description: String {
        switch self {
        case .bfloat16Unsupported(let isa):
            "bfloat16 needs a CPU with AVX-512 BF16 or AMX, but oneDNN runs this one as \(isa); use float32 or automatic"
        }
    }
}
