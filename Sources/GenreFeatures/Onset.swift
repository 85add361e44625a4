/// A bad onset strength parameter.
public enum OnsetError: Error, CustomStringConvertible, Equatable {
    case lag(Int)
    case maxSize(Int)
    case hopLength(Int)
    case nFFT(Int)
    case channel(Range<Int>, bands: Int)

    public var description: String {
        switch self {
        case .lag(let lag): "lag \(lag) must be a positive integer"
        case .maxSize(let size): "max_size \(size) must be a positive integer"
        case .hopLength(let hop): "hop length \(hop) must be a positive integer"
        case .nFFT(let nFFT): "n_fft \(nFFT) must be a positive integer"
        case let .channel(range, bands):
            "channel \(range) must be a non-empty range of bands within 0..<\(bands)"
        }
    }
}

/// Spectral-flux onset strength, as `librosa.onset.onset_strength` computes it from a dB mel spectrogram.
public enum Onset {
    /// How the bands' flux is combined in each frame: librosa's default is the mean; `beat_track` uses the median.
    public enum Aggregate: Sendable {
        case mean, median
    }

    /// `librosa.onset.onset_strength(S=melDB, lag=, max_size=, center=, aggregate=)` (detrend off): one
    /// value per frame of `melDB` (mel bands, frames), typically `power_to_db(melspectrogram(...))`.
    ///
    /// The flux of a band is max(0, S[t] - ref[t - lag]), `ref` being S itself or, for `maxSize` > 1,
    /// its maximum over `maxSize` neighbouring bands (SuperFlux). The envelope is delayed by `lag`
    /// and, with `center`, by `nFFT / (2 * hopLength)` more frames (librosa's compensation for the
    /// framing); the frames shifted in are 0.
    public static func strength(
        melDB: Matrix, lag: Int = 1, maxSize: Int = 1, center: Bool = true, nFFT: Int = 2048,
        hopLength: Int = 512, aggregate: Aggregate = .mean
    ) throws(OnsetError) -> [Float] {
        try strengthMulti(melDB: melDB, channels: [0 ..< melDB.rows], lag: lag, maxSize: maxSize, center: center,
                          nFFT: nFFT, hopLength: hopLength, aggregate: aggregate).values
    }

    /// `librosa.onset.onset_strength_multi(S=melDB, channels=...)`: one envelope per band range
    /// (rows of the result, in the order of `channels`), otherwise as `strength`.
    public static func strengthMulti(
        melDB: Matrix, channels: [Range<Int>], lag: Int = 1, maxSize: Int = 1, center: Bool = true,
        nFFT: Int = 2048, hopLength: Int = 512, aggregate: Aggregate = .mean
    ) throws(OnsetError) -> Matrix {
        guard lag >= 1 else { throw .lag(lag) }
        guard maxSize >= 1 else { throw .maxSize(maxSize) }
        guard hopLength >= 1 else { throw .hopLength(hopLength) }
        guard nFFT >= 1 else { throw .nFFT(nFFT) }
        for channel in channels where channel.isEmpty || channel.lowerBound < 0 || channel.upperBound > melDB.rows {
            throw .channel(channel, bands: melDB.rows)
        }
        let frames = melDB.columns
        let reference = maxSize == 1 ? melDB : maximumOverBands(melDB, size: maxSize)
        let fluxFrames = max(frames - lag, 0)
        // Each value is written once, row by row (no zeroing first, no index checks in the loop).
        let fluxValues = [Float](unsafeUninitializedCapacity: melDB.rows * fluxFrames) { flux, initialized in
            melDB.values.withUnsafeBufferPointer { values in
                reference.values.withUnsafeBufferPointer { reference in
                    for band in 0 ..< melDB.rows where fluxFrames > 0 {
                        let current = values.baseAddress! + band * frames + lag
                        let previous = reference.baseAddress! + band * frames
                        let target = flux.baseAddress! + band * fluxFrames
                        for frame in 0 ..< fluxFrames {
                            // np.maximum(0, d): +0 also for d = -0.
                            let difference = current[frame] - previous[frame]
                            target[frame] = difference > 0 ? difference : 0
                        }
                    }
                }
            }
            initialized = melDB.rows * fluxFrames
        }
        let flux = Matrix(rows: melDB.rows, columns: fluxFrames, values: fluxValues)
        let delay = lag + (center ? nFFT / (2 * hopLength) : 0)
        // librosa pads then, when centred, trims to the input's length.
        let length = center ? frames : fluxFrames + lag
        var envelopes = Matrix(rows: channels.count, columns: length)
        for (row, channel) in channels.enumerated() {
            let combined = combine(flux, bands: channel, aggregate)
            for frame in 0 ..< max(0, min(fluxFrames, length - delay)) {
                envelopes[row, frame + delay] = combined[frame]
            }
        }
        return envelopes
    }

    /// The flux of `bands` combined in each frame, in Float as numpy does for float32 input: the mean
    /// sums band after band then divides; the median of an even count averages the two middle values.
    private static func combine(_ flux: Matrix, bands: Range<Int>, _ aggregate: Aggregate) -> [Float] {
        switch aggregate {
        case .mean:
            var sums = [Float](repeating: 0, count: flux.columns)
            for band in bands {
                for frame in 0 ..< flux.columns { sums[frame] += flux[band, frame] }
            }
            return sums.map { $0 / Float(bands.count) }
        case .median:
            var column = [Float](repeating: 0, count: bands.count)
            return (0 ..< flux.columns).map { frame in
                var zeros = 0
                for (i, band) in bands.enumerated() {
                    column[i] = flux[band, frame]
                    zeros += column[i] == 0 ? 1 : 0
                }
                // The flux is never negative: when more than half the bands are 0, the middle ones are.
                return zeros > bands.count / 2 ? 0 : numpyMedian(&column)
            }
        }
    }

    /// `scipy.ndimage.maximum_filter1d(S, size, axis=0)` (mode "reflect"): the largest value of the
    /// `size` bands around each band (one more below than above for an even size).
    private static func maximumOverBands(_ matrix: Matrix, size: Int) -> Matrix {
        var result = matrix
        for band in 0 ..< matrix.rows {
            for frame in 0 ..< matrix.columns {
                var largest = -Float.infinity
                for offset in 0 ..< size {
                    largest = max(largest, matrix[reflectedIndex(band - size / 2 + offset, count: matrix.rows), frame])
                }
                result[band, frame] = largest
            }
        }
        return result
    }
}

/// The median as numpy computes it for float32 values: the middle value, or the Float mean of the
/// two middle values for an even count. Reorders `values`, which must not be empty.
func numpyMedian(_ values: inout [Float]) -> Float {
    let upper = values.count / 2
    let upperValue = quickselect(&values, rank: upper)
    guard values.count % 2 == 0 else { return upperValue }
    // After selection every value before `upper` is at most the upper middle value.
    let lowerValue = values[..<upper].max()!
    return (lowerValue + upperValue) / 2
}

/// Quickselect: moves the value of the given rank (0-based, in sorted order) to that index, smaller
/// or equal values before it and larger or equal after, and returns it.
func quickselect(_ values: inout [Float], rank: Int) -> Float {
    var low = 0, high = values.count - 1
    while low < high {
        let pivot = values[(low + high) / 2]
        var i = low, j = high
        while i <= j {
            while values[i] < pivot { i += 1 }
            while values[j] > pivot { j -= 1 }
            if i <= j {
                values.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        if rank <= j {
            high = j
        } else if rank >= i {
            low = i
        } else {
            break
        }
    }
    return values[rank]
}
