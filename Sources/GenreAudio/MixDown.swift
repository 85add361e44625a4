import CFFmpeg
import Foundation

/// Writes the mean of a decoded frame's channels into `mono`, as Float in [-1, 1) for integer
/// formats, scaled as libsndfile (so librosa) does: u8 (x - 128) / 2^7, s16 x / 2^15, s32 x / 2^31
/// (24-bit audio arrives as s32), s64 x / 2^63. Packed and planar layouts alike. Float samples pass
/// through up to `Clipping.limit`, louder ones are clipped (and counted in `clipping`), and NaN and
/// infinity become 0, so that features and models only ever see bounded samples.
/// Returns false for a sample format it does not know.
func mixDown(_ frame: UnsafePointer<AVFrame>, into mono: inout [Float], clipping: inout Clipping) -> Bool {
    let count = Int(frame.pointee.nb_samples)
    let channels = Int(frame.pointee.ch_layout.nb_channels)
    let format = AVSampleFormat(frame.pointee.format)
    guard let planes = frame.pointee.extended_data, channels > 0 else { return false }
    let planar = av_sample_fmt_is_planar(format) != 0
    mono.removeAll(keepingCapacity: true)
    mono.append(contentsOf: repeatElement(0, count: count))

    func accumulate<Sample>(_: Sample.Type, _ convert: (Sample) -> Float) {
        mono.withUnsafeMutableBufferPointer { sums in
            for channel in 0 ..< channels {
                // Planar: one plane per channel. Packed: channels interleaved in the first plane.
                guard let plane = planes[planar ? channel : 0] else { continue }
                let samples = UnsafeRawPointer(plane).assumingMemoryBound(to: Sample.self)
                let (first, stride) = planar ? (0, 1) : (channel, channels)
                // The first channel is stored rather than added to the zeros: no read of them.
                if channel == 0 {
                    for i in 0 ..< count { sums[i] = convert(samples[first + i * stride]) }
                } else {
                    for i in 0 ..< count { sums[i] += convert(samples[first + i * stride]) }
                }
            }
        }
    }

    switch av_get_packed_sample_fmt(format) {
    case AV_SAMPLE_FMT_U8: accumulate(UInt8.self) { (Float($0) - 128) / 128 }
    case AV_SAMPLE_FMT_S16: accumulate(Int16.self) { Float($0) / 32768 }
    case AV_SAMPLE_FMT_S32: accumulate(Int32.self) { Float($0) / 2_147_483_648 }
    case AV_SAMPLE_FMT_S64: accumulate(Int64.self) { Float($0) / 9_223_372_036_854_775_808 }
    case AV_SAMPLE_FMT_FLT: accumulate(Float.self) { clipping.clip(Double($0)) }
    case AV_SAMPLE_FMT_DBL: accumulate(Double.self) { clipping.clip($0) }
    default: return false
    }
    if channels > 1 {
        // The mean as numpy takes it: a float32 sum divided by the count.
        let divisor = Float(channels)
        for i in mono.indices { mono[i] /= divisor }
    }
    return true
}

/// Float samples louder than `limit`, and the loudest of them; and samples that were no number at
/// all. Codecs overshoot full scale a little and float masters can run hot, so up to +6 dB passes
/// untouched (as librosa reads it); beyond that the file is mis-scaled or damaged (integer samples
/// stored as float, say), and unbounded samples would overflow spectra and networks.
public struct Clipping: Sendable, Equatable {
    /// +6 dB over full scale.
    public static let limit: Float = 2
    /// How many samples (of any channel) were beyond the limit.
    public private(set) var count = 0
    /// The largest magnitude among them.
    public private(set) var peak: Double = 0
    /// How many samples were NaN or infinite.
    public private(set) var nonFinite = 0

    /// `sample` as a Float within the limit; NaN and infinity become 0 (silence).
    mutating func clip(_ sample: Double) -> Float {
        guard sample.isFinite else {
            nonFinite += 1
            return 0
        }
        guard abs(sample) > Double(Self.limit) else { return Float(sample) }
        count += 1
        peak = max(peak, abs(sample))
        return sample < 0 ? -Self.limit : Self.limit
    }

    /// What a verb says of a file with clipped or non-finite samples; nil when it had none.
    public var warning: String? {
        var parts: [String] = []
        if count > 0 {
            let decibels = String(format: "%.1f", 20 * log10(peak))
            parts.append("\(samples(count)) louder than +6 dB over full scale (the loudest at +\(decibels) dB) clipped to +6 dB")
        }
        if nonFinite > 0 { parts.append("\(samples(nonFinite)) that were NaN or infinite taken as silence") }
        guard !parts.isEmpty else { return nil }
        return parts.joined(separator: ", ") + ": the file looks mis-scaled or damaged, so what is said of it may not fit the music"
    }

    private func samples(_ count: Int) -> String { count == 1 ? "1 sample" : "\(count) samples" }
}
