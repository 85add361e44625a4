import Foundation

/// How a signal is extended past its ends (the `numpy.pad` modes librosa uses).
public enum PadMode: String, Sendable, Equatable, CaseIterable {
    /// Zeros: librosa 0.11's default for the STFT and RMS.
    case constant
    /// Mirror without repeating the edge sample: (c b) a b c d (c b).
    case reflect
    /// Repeat the edge sample: used by `zero_crossing_rate`.
    case edge

    /// `signal` with `left` and `right` samples added, exactly as `numpy.pad` does (reflection
    /// repeats for pads longer than the signal).
    public func pad(_ signal: [Float], left: Int, right: Int) -> [Float] {
        precondition(left >= 0 && right >= 0, "pads cannot be negative")
        precondition(!signal.isEmpty || self == .constant, "only constant padding extends an empty signal")
        var result = [Float](repeating: 0, count: left + signal.count + right)
        for i in 0..<left { result[i] = value(signal, at: i - left) }
        result.replaceSubrange(left ..< left + signal.count, with: signal)
        for i in 0..<right { result[left + signal.count + i] = value(signal, at: signal.count + i) }
        return result
    }

    /// The padded signal's value at `index`, which may lie outside the signal.
    func value<C: RandomAccessCollection>(_ signal: C, at index: Int) -> Float where C.Element == Float, C.Index == Int {
        let count = signal.count
        if (0..<count).contains(index) { return signal[signal.startIndex + index] }
        switch self {
        case .constant:
            return 0
        case .edge:
            return signal[signal.startIndex + min(max(index, 0), count - 1)]
        case .reflect:
            guard count > 1 else { return signal[signal.startIndex] }
            let period = 2 * (count - 1)
            let folded = ((index % period) + period) % period
            return signal[signal.startIndex + (folded < count ? folded : period - folded)]
        }
    }
}

/// Settings of a short-time Fourier transform; the defaults are librosa's.
public struct STFTSettings: Sendable, Equatable {
    /// FFT size: each frame has `nFFT` samples and `nFFT / 2 + 1` bins.
    public var nFFT: Int
    public var hopLength: Int
    /// Window length; nil means `nFFT`. A shorter window is centred in zeros.
    public var winLength: Int?
    public var window: Window
    /// Pad the signal by `nFFT / 2` at both ends so that frame t is centred at sample t * hopLength.
    public var center: Bool
    public var padMode: PadMode

    public init(nFFT: Int = 2048, hopLength: Int = 512, winLength: Int? = nil, window: Window = .hann,
                center: Bool = true, padMode: PadMode = .constant) {
        self.nFFT = nFFT
        self.hopLength = hopLength
        self.winLength = winLength
        self.window = window
        self.center = center
        self.padMode = padMode
    }

    public var binCount: Int { nFFT / 2 + 1 }

    /// Number of frames librosa makes from `signalLength` samples.
    public func frameCount(signalLength: Int) -> Int {
        let length = center ? signalLength + 2 * (nFFT / 2) : signalLength
        return length < nFFT ? 0 : 1 + (length - nFFT) / hopLength
    }

    func validate() throws(SpectralError) {
        guard nFFT >= 1 else { throw .parameterOutOfRange(name: "nFFT", value: "\(nFFT)", valid: "at least 1") }
        guard hopLength >= 1 else {
            throw .parameterOutOfRange(name: "hopLength", value: "\(hopLength)", valid: "at least 1")
        }
        if let winLength, !(1...nFFT).contains(winLength) {
            throw .parameterOutOfRange(name: "winLength", value: "\(winLength)", valid: "in 1...nFFT (\(nFFT))")
        }
    }

    /// The window padded to `nFFT`.
    var paddedWindow: [Double] { window.padded(length: winLength ?? nFFT, to: nFFT) }
}

/// A short-time Fourier transform plan, matching `librosa.stft` and `librosa.istft`: the window,
/// FFT plans and settings, reusable and safe to share between threads.
///
/// Like librosa, the forward transform multiplies the float32 frames by the float64 window and
/// transforms in double precision, rounding the bins to float32 at the end; the inverse transforms
/// in single precision, as numpy does for complex64 input.
public struct STFT: Sendable {
    public let settings: STFTSettings
    private let window: [Double]
    private let forwardFFT: RealFFT<Double>
    private let inverseFFT: RealFFT<Float>

    public init(_ settings: STFTSettings = STFTSettings()) throws(SpectralError) {
        try settings.validate()
        self.settings = settings
        window = settings.paddedWindow
        forwardFFT = try RealFFT(count: settings.nFFT)
        inverseFFT = try RealFFT(count: settings.nFFT)
    }

    /// The complex STFT, (1 + nFFT/2, frames).
    public func transform(_ signal: [Float]) throws(SpectralError) -> ComplexMatrix {
        var result = ComplexMatrix(rows: settings.binCount, columns: try frameCount(signal))
        let frames = result.columns
        result.real.withUnsafeMutableBufferPointer { real in
            result.imaginary.withUnsafeMutableBufferPointer { imaginary in
                forEachFrameBlock(signal) { first, count, re, im in
                    for k in 0 ..< settings.binCount {
                        for f in 0..<count {
                            let source = f * settings.binCount + k, target = k * frames + first + f
                            real[target] = Float(re[source])
                            imaginary[target] = Float(im[source])
                        }
                    }
                }
            }
        }
        return result
    }

    /// |STFT| ** power without keeping the complex matrix: power 1 gives the magnitude spectrogram,
    /// 2 the power spectrogram. Each bin is rounded to float32 before its magnitude is taken, as
    /// librosa takes `np.abs` of its complex64 STFT.
    public func magnitude(_ signal: [Float], power: Float = 1) throws(SpectralError) -> Matrix {
        var result = Matrix(rows: settings.binCount, columns: try frameCount(signal))
        let frames = result.columns
        result.values.withUnsafeMutableBufferPointer { values in
            forEachFrameBlock(signal) { first, count, re, im in
                for k in 0 ..< settings.binCount {
                    for f in 0..<count {
                        let source = f * settings.binCount + k
                        values[k * frames + first + f] = Spectrogram.magnitude(Float(re[source]), Float(im[source]))
                    }
                }
            }
        }
        return power == 1 ? result : Spectrogram.raise(result, toPower: power)
    }

    /// The signal back from an STFT with this plan's settings, as `librosa.istft`: overlap-add of
    /// the windowed inverse transforms divided by the summed squared window where that sum is not
    /// tiny. `length` trims or zero-pads the result to exactly that many samples.
    public func inverse(_ spectrum: ComplexMatrix, length: Int? = nil) throws(SpectralError) -> [Float] {
        let n = settings.nFFT, hop = settings.hopLength
        guard spectrum.rows == settings.binCount else {
            throw .shapeMismatch("an STFT with nFFT \(n) has \(settings.binCount) rows, not \(spectrum.rows)")
        }
        if let length, length < 1 {
            throw .parameterOutOfRange(name: "length", value: "\(length)", valid: "at least 1 (or nil)")
        }
        var frames = spectrum.columns
        if let length {
            let padded = settings.center ? length + 2 * (n / 2) : length
            frames = min(frames, (padded + hop - 1) / hop)
        }
        let start = settings.center ? n / 2 : 0
        let outputLength = length ?? max(n + hop * (frames - 1) - 2 * start, 0)
        guard frames > 0 else { return [Float](repeating: 0, count: outputLength) }

        // Overlap-add into float32 as librosa does: each windowed frame is float64, each sum is
        // rounded back to float32.
        let fullLength = n + hop * (frames - 1)
        var sum = [Float](repeating: 0, count: fullLength)
        var envelope = [Float](repeating: 0, count: fullLength)
        let squaredWindow = window.map { $0 * $0 }
        var re = [Float](repeating: 0, count: settings.binCount), im = re
        var frame = [Float](repeating: 0, count: n)
        let scratch = inverseFFT.makeScratch()
        for t in 0..<frames {
            for k in 0 ..< settings.binCount {
                re[k] = spectrum.real[k * spectrum.columns + t]
                im[k] = spectrum.imaginary[k * spectrum.columns + t]
            }
            inverseFFT.inverse(real: re, imaginary: im, signal: &frame, scratch: scratch)
            let offset = t * hop
            for j in 0..<n {
                sum[offset + j] = Float(Double(sum[offset + j]) + window[j] * Double(frame[j]))
                envelope[offset + j] = Float(Double(envelope[offset + j]) + squaredWindow[j])
            }
        }
        let tiny = Float.leastNormalMagnitude
        return (0..<outputLength).map { i in
            let source = start + i
            guard source < fullLength else { return 0 }
            return envelope[source] > tiny ? sum[source] / envelope[source] : sum[source]
        }
    }

    private func frameCount(_ signal: [Float]) throws(SpectralError) -> Int {
        guard !signal.isEmpty else { throw .inputTooShort(name: "signal", length: 0, minimum: 1) }
        if !settings.center && signal.count < settings.nFFT {
            throw .inputTooShort(name: "signal (uncentred STFT)", length: signal.count, minimum: settings.nFFT)
        }
        return settings.frameCount(signalLength: signal.count)
    }

    /// Frames per block: the block's spectra (in Double) stay in cache while they are transposed
    /// into the (bins, frames) output.
    private static let blockFrames = 8

    /// Windows and transforms the frames in blocks, handing each block's spectra to `body` as
    /// (first frame, frame count, real parts, imaginary parts), frame f's bin k at f * binCount + k.
    private func forEachFrameBlock(
        _ signal: [Float],
        _ body: (Int, Int, UnsafePointer<Double>, UnsafePointer<Double>) -> Void
    ) {
        let n = settings.nFFT, hop = settings.hopLength, bins = settings.binCount
        let padded = settings.center ? centrePadded(signal) : signal
        let frames = settings.frameCount(signalLength: signal.count)
        var frame = [Double](repeating: 0, count: n)
        var re = [Double](repeating: 0, count: Self.blockFrames * bins), im = re
        let scratch = forwardFFT.makeScratch()
        padded.withUnsafeBufferPointer { samples in
            window.withUnsafeBufferPointer { window in
                frame.withUnsafeMutableBufferPointer { frame in
                    re.withUnsafeMutableBufferPointer { re in
                        im.withUnsafeMutableBufferPointer { im in
                            for first in stride(from: 0, to: frames, by: Self.blockFrames) {
                                let count = min(Self.blockFrames, frames - first)
                                for f in 0..<count {
                                    let offset = (first + f) * hop
                                    for j in 0..<n { frame[j] = Double(samples[offset + j]) * window[j] }
                                    forwardFFT.forward(frame.baseAddress!, real: re.baseAddress! + f * bins,
                                                       imaginary: im.baseAddress! + f * bins, scratch: scratch)
                                }
                                body(first, count, re.baseAddress!, im.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The signal with nFFT/2 samples of padding at each end, as librosa 0.11 builds it: the tail
    /// padding is made from only the samples the tail frames see, which differs from padding the
    /// whole signal for `reflect` when the hop is at least half a frame.
    private func centrePadded(_ signal: [Float]) -> [Float] {
        let n = settings.nFFT, hop = settings.hopLength, half = n / 2, count = signal.count
        var padded = settings.padMode.pad(signal, left: half, right: 0)
        let headFrames = (half + hop - 1) / hop
        // The first frame that reaches into the tail padding (Python's floor division).
        let reach = count + half - n
        let tailStart = (reach >= 0 ? reach / hop : -((hop - 1 - reach) / hop)) + 1
        let tail = tailStart > headFrames ? signal[min(tailStart * hop - half, count)...] : signal[...]
        padded += (0..<half).map { tail.isEmpty ? 0 : settings.padMode.value(tail, at: tail.count + $0) }
        return padded
    }
}

/// Magnitude and power spectrograms from complex ones.
public enum Spectrogram {
    /// |re + i im| as numpy's float32 `abs` computes it (hypot in double, rounded).
    @inline(__always)
    static func magnitude(_ re: Float, _ im: Float) -> Float {
        Float((Double(re) * Double(re) + Double(im) * Double(im)).squareRoot())
    }

    /// Each value raised to `power` in float32, as numpy's `S ** power` (2 squares exactly).
    public static func raise(_ spectrogram: Matrix, toPower power: Float) -> Matrix {
        var result = spectrogram
        switch power {
        case 1: break
        case 2: for i in result.values.indices { result.values[i] *= result.values[i] }
        default: for i in result.values.indices { result.values[i] = pow(result.values[i], power) }
        }
        return result
    }
}

extension ComplexMatrix {
    /// |D| ** power elementwise (librosa's `np.abs(D) ** power`).
    public func magnitude(power: Float = 1) -> Matrix {
        let magnitudes = zip(real, imaginary).map { Spectrogram.magnitude($0, $1) }
        return Spectrogram.raise(Matrix(rows: rows, columns: columns, values: magnitudes), toPower: power)
    }
}
