import CFFmpeg

/// Writes the mean of a decoded frame's channels into `mono`, as Float in [-1, 1) for integer
/// formats, scaled as libsndfile (so librosa) does: u8 (x - 128) / 2^7, s16 x / 2^15, s32 x / 2^31
/// (24-bit audio arrives as s32), s64 x / 2^63. Packed and planar layouts alike. Float samples pass
/// through, except that NaN and infinity become 0 so they can never reach features or models.
/// Returns false for a sample format it does not know.
func mixDown(_ frame: UnsafePointer<AVFrame>, into mono: inout [Float]) -> Bool {
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
    case AV_SAMPLE_FMT_FLT: accumulate(Float.self) { $0.isFinite ? $0 : 0 }
    case AV_SAMPLE_FMT_DBL: accumulate(Double.self) { Float($0).isFinite ? Float($0) : 0 }
    default: return false
    }
    if channels > 1 {
        // The mean as numpy takes it (a float32 sum divided by the count); a sum of huge finite
        // floats could still overflow, hence the check.
        let divisor = Float(channels)
        for i in mono.indices {
            let mean = mono[i] / divisor
            mono[i] = mean.isFinite ? mean : 0
        }
    }
    return true
}
