import CSoxr

/// A streaming mono resampler on libsoxr with the settings of python-soxr's `resample(x, in, out,
/// 'HQ')`, which is librosa's default `res_type='soxr_hq'`: float32 in and out, `SOXR_HQ` quality,
/// no flags, one thread. Feed it chunk by chunk, then `flush` once: the total output length is then
/// `round(inputCount * outputRate / inputRate)`, as python-soxr gives (librosa then pads to the ceiling).
final class Resampler {
    private let soxr: soxr_t
    private let ratio: Double
    /// Reused for each call's output before it is appended.
    private var scratch: [Float] = []

    /// Rates need not be whole: librosa's pitch shift resamples from sr / rate.
    init(inputRate: Double, outputRate: Double) throws(AudioError) {
        var error: soxr_error_t?
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var runtime = soxr_runtime_spec(1)
        let handle = soxr_create(inputRate, outputRate, 1, &error, &io, &quality, &runtime)
        guard let handle, error == nil else {
            soxr_delete(handle)
            throw .resamplerFailed(reason: error.map { String(cString: $0) } ?? "soxr_create gave nothing")
        }
        soxr = handle
        ratio = outputRate / inputRate
    }

    deinit { soxr_delete(soxr) }

    /// Resamples `input` (which libsoxr takes whole into its own buffer) and appends what is ready.
    func process(_ input: UnsafeBufferPointer<Float>, appendingTo output: inout [Float]) throws(AudioError) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        try run(input: base, count: input.count, appendingTo: &output)
    }

    /// Ends the input and appends the samples libsoxr still holds (its filter delay).
    func flush(appendingTo output: inout [Float]) throws(AudioError) {
        try run(input: nil, count: 0, appendingTo: &output)
    }

    /// One soxr_process call with the input (nil flushes), then more calls until no output is
    /// pending. A nil `idone` makes libsoxr take all the input at once into its own buffer.
    private func run(input: UnsafePointer<Float>?, count: Int, appendingTo output: inout [Float]) throws(AudioError) {
        let capacity = Int(Double(count) * ratio) + 1024
        if scratch.count < capacity { scratch = [Float](repeating: 0, count: capacity) }
        var count = count
        while true {
            var produced = 0
            let error = scratch.withUnsafeMutableBufferPointer {
                soxr_process(soxr, input, count, nil, $0.baseAddress, capacity, &produced)
            }
            if let error { throw .resamplerFailed(reason: String(cString: error)) }
            output.append(contentsOf: scratch[..<produced])
            if produced < capacity { return }
            // The same pointer with no samples asks for what is pending (a nil one would flush).
            count = 0
        }
    }
}

/// One-shot resampling of a whole signal, as the decoder does it (libsoxr HQ, librosa's default).
public enum Resampling {
    public static func resample(_ samples: [Float], from inputRate: Int, to outputRate: Int) throws(AudioError) -> [Float] {
        try resample(samples, from: Double(inputRate), to: Double(outputRate))
    }

    /// `resample` between rates that need not be whole numbers of Hz.
    public static func resample(_ samples: [Float], from inputRate: Double, to outputRate: Double) throws(AudioError) -> [Float] {
        guard inputRate != outputRate else { return samples }
        guard inputRate > 0, outputRate > 0, inputRate.isFinite, outputRate.isFinite else {
            throw .resamplerFailed(reason: "sample rates must be positive, got \(inputRate) and \(outputRate)")
        }
        let resampler = try Resampler(inputRate: inputRate, outputRate: outputRate)
        var output: [Float] = []
        output.reserveCapacity(Int(Double(samples.count) * outputRate / inputRate) + 1)
        try samples.withUnsafeBufferPointer { (buffer) throws(AudioError) in try resampler.process(buffer, appendingTo: &output) }
        try resampler.flush(appendingTo: &output)
        return output
    }
}
