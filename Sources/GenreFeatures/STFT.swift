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
        let bins = settings.binCount, frames = try frameCount(signal), count = bins * frames
        // Every value is written once by the transposes, so the parts start uninitialised.
        var imaginary: [Float] = []
        let real = [Float](unsafeUninitializedCapacity: count) { real, realCount in
            imaginary = [Float](unsafeUninitializedCapacity: count) { imaginary, imaginaryCount in
                forEachFrameBlock(signal) { first, count, re, im in
                    Self.transpose(re, rows: count, columns: bins, stride: bins,
                                   into: real.baseAddress! + first, stride: frames)
                    Self.transpose(im, rows: count, columns: bins, stride: bins,
                                   into: imaginary.baseAddress! + first, stride: frames)
                }
                imaginaryCount = count
            }
            realCount = count
        }
        return ComplexMatrix(rows: bins, columns: frames, real: real, imaginary: imaginary)
    }

    /// |STFT| ** power without keeping the complex matrix: power 1 gives the magnitude spectrogram,
    /// 2 the power spectrogram. Each bin is rounded to float32 before its magnitude is taken, as
    /// librosa takes `np.abs` of its complex64 STFT.
    public func magnitude(_ signal: [Float], power: Float = 1) throws(SpectralError) -> Matrix {
        let bins = settings.binCount, frames = try frameCount(signal), count = bins * frames
        var block = [Float](repeating: 0, count: Self.blockFrames * bins)
        let values = [Float](unsafeUninitializedCapacity: count) { values, initialized in
            block.withUnsafeMutableBufferPointer { block in
                forEachFrameBlock(signal) { first, count, re, im in
                    Spectrogram.magnitudes(re, im, count * bins, into: block.baseAddress!)
                    Self.transpose(UnsafePointer(block.baseAddress!), rows: count, columns: bins, stride: bins,
                                   into: values.baseAddress! + first, stride: frames)
                }
            }
            initialized = count
        }
        let result = Matrix(rows: bins, columns: frames, values: values)
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
        let bins = settings.binCount, columns = spectrum.columns
        let fullLength = n + hop * (frames - 1)
        var sum = [Float](repeating: 0, count: fullLength)
        var re = [Float](repeating: 0, count: Self.blockFrames * bins), im = re
        var frame = [Float](repeating: 0, count: n)
        let scratch = inverseFFT.makeScratch()
        spectrum.real.withUnsafeBufferPointer { real in
        spectrum.imaginary.withUnsafeBufferPointer { imaginary in
        re.withUnsafeMutableBufferPointer { re in
        im.withUnsafeMutableBufferPointer { im in
        frame.withUnsafeMutableBufferPointer { frame in
        sum.withUnsafeMutableBufferPointer { sum in
            for first in stride(from: 0, to: frames, by: Self.blockFrames) {
                let count = min(Self.blockFrames, frames - first)
                Self.transpose(real.baseAddress! + first, rows: bins, columns: count, stride: columns,
                               into: re.baseAddress!, stride: bins)
                Self.transpose(imaginary.baseAddress! + first, rows: bins, columns: count, stride: columns,
                               into: im.baseAddress!, stride: bins)
                for f in 0..<count {
                    inverseFFT.inverse(real: re.baseAddress! + f * bins, imaginary: im.baseAddress! + f * bins,
                                       signal: frame.baseAddress!, scratch: scratch)
                    let offset = (first + f) * hop
                    Self.accumulate(frame.baseAddress!, times: window, into: sum.baseAddress! + offset)
                }
            }
        }}}}}}
        sum.withUnsafeMutableBufferPointer { divideByWindowSumSquare($0.baseAddress!, frames: frames) }
        return [Float](unsafeUninitializedCapacity: outputLength) { output, initialized in
            let copied = max(min(outputLength, fullLength - start), 0)
            sum.withUnsafeBufferPointer { sum in
                output.baseAddress!.initialize(from: sum.baseAddress! + start, count: copied)
            }
            (output.baseAddress! + copied).initialize(repeating: 0, count: outputLength - copied)
            initialized = outputLength
        }
    }

    /// Divides the overlap-added frames by librosa's `window_sumsquare` (the squared window added
    /// frame by frame into float32) where it is not tiny. The positions that every overlapping frame
    /// reaches, [nFFT - hop, frames × hop), receive the same values in the same order, so they repeat
    /// with period hop: only a short run is summed, and the interior is divided period by period.
    private func divideByWindowSumSquare(_ sum: UnsafeMutablePointer<Float>, frames: Int) {
        let n = settings.nFFT, hop = settings.hopLength
        let squared = window.map { $0 * $0 }
        let shortRun = (n + hop - 1) / hop + 1
        var envelope = [Float](repeating: 0, count: n + hop * (min(frames, shortRun) - 1))
        envelope.withUnsafeMutableBufferPointer { envelope in
            for t in 0 ..< min(frames, shortRun) {
                Self.accumulate(nil, times: squared, into: envelope.baseAddress! + t * hop)
            }
        }
        let tiny = Float.leastNormalMagnitude
        func divide(_ first: Int, _ count: Int, by envelope: UnsafePointer<Float>) {
            for j in 0..<count {
                let value = sum[first + j], weight = envelope[j]
                sum[first + j] = weight > tiny ? value / weight : value
            }
        }
        envelope.withUnsafeBufferPointer { envelope in
            let model = envelope.baseAddress!, length = n + hop * (frames - 1)
            guard frames > shortRun else { return divide(0, length, by: model) }
            let interior = max(n - hop, 0) ..< frames * hop
            divide(0, interior.lowerBound, by: model)
            for first in stride(from: interior.lowerBound, to: interior.upperBound, by: hop) {
                divide(first, min(hop, interior.upperBound - first), by: model + interior.lowerBound)
            }
            divide(interior.upperBound, length - interior.upperBound, by: model + envelope.count - (length - interior.upperBound))
        }
    }

    private func frameCount(_ signal: [Float]) throws(SpectralError) -> Int {
        guard !signal.isEmpty else { throw .inputTooShort(name: "signal", length: 0, minimum: 1) }
        if !settings.center && signal.count < settings.nFFT {
            throw .inputTooShort(name: "signal (uncentred STFT)", length: signal.count, minimum: settings.nFFT)
        }
        return settings.frameCount(signalLength: signal.count)
    }

    /// Frames per block: 16 floats fill a cache line of each output row, and the block's spectra
    /// (in Double) stay in the L2 cache until they are transposed into the (bins, frames) output.
    private static let blockFrames = 16

    /// target[j * targetStride + i] = source[i * sourceStride + j] for i < rows, j < columns: turns
    /// frame-major blocks into (bins, frames) columns and back, rounding double-precision bins to
    /// float32 on the way.
    private static func transpose<Source: FFTScalar>(
        _ source: UnsafePointer<Source>, rows: Int, columns: Int, stride sourceStride: Int,
        into target: UnsafeMutablePointer<Float>, stride targetStride: Int
    ) {
        // 4 x 4 tiles in registers, then the ragged edges one value at a time.
        let tileRows = rows / 4 * 4, tileColumns = columns / 4 * 4
        for i in Swift.stride(from: 0, to: tileRows, by: 4) {
            for j in Swift.stride(from: 0, to: tileColumns, by: 4) {
                let from = source + i * sourceStride + j
                let v0 = load(from), v1 = load(from + sourceStride)
                let v2 = load(from + 2 * sourceStride), v3 = load(from + 3 * sourceStride)
                let to = target + j * targetStride + i
                store(SIMD4(v0[0], v1[0], v2[0], v3[0]), to)
                store(SIMD4(v0[1], v1[1], v2[1], v3[1]), to + targetStride)
                store(SIMD4(v0[2], v1[2], v2[2], v3[2]), to + 2 * targetStride)
                store(SIMD4(v0[3], v1[3], v2[3], v3[3]), to + 3 * targetStride)
            }
            for j in tileColumns..<columns {
                for k in i ..< i + 4 { target[j * targetStride + k] = Float(source[k * sourceStride + j]) }
            }
        }
        for i in tileRows..<rows {
            for j in 0..<columns { target[j * targetStride + i] = Float(source[i * sourceStride + j]) }
        }
        func load(_ pointer: UnsafePointer<Source>) -> SIMD4<Float> {
            SIMD4<Float>(UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Source>.self))
        }
        func store(_ value: SIMD4<Float>, _ pointer: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD4<Float>.self)
        }
    }

    /// target[j] = Float(Double(target[j]) + weights[j] * Double(frame[j])) (frame nil: 1), as
    /// librosa adds float64 windowed frames into its float32 output.
    private static func accumulate(_ frame: UnsafePointer<Float>?, times weights: [Double],
                                   into target: UnsafeMutablePointer<Float>) {
        weights.withUnsafeBufferPointer { weights in
            let n = weights.count
            var j = 0
            while j + 2 <= n {
                let w = UnsafeRawPointer(weights.baseAddress! + j).loadUnaligned(as: SIMD2<Double>.self)
                let values = frame.map { SIMD2(Double($0[j]), Double($0[j + 1])) * w } ?? w
                let sum = SIMD2(Double(target[j]), Double(target[j + 1])) + values
                target[j] = Float(sum[0]); target[j + 1] = Float(sum[1])
                j += 2
            }
            if j < n { target[j] = Float(Double(target[j]) + weights[j] * (frame.map { Double($0[j]) } ?? 1)) }
        }
    }

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
                    Self.applyWindow(samples.baseAddress! + (first + f) * hop, window.baseAddress!,
                                     into: frame.baseAddress!, n)
                    forwardFFT.forward(frame.baseAddress!, real: re.baseAddress! + f * bins,
                                       imaginary: im.baseAddress! + f * bins, scratch: scratch)
                }
                body(first, count, re.baseAddress!, im.baseAddress!)
            }
        }}}}}
    }

    /// frame = samples × window in double, as librosa multiplies float32 frames by its float64 window.
    private static func applyWindow(_ samples: UnsafePointer<Float>, _ window: UnsafePointer<Double>,
                                    into frame: UnsafeMutablePointer<Double>, _ n: Int) {
        var j = 0
        while j + 2 <= n {
            let pair = SIMD2(Double(samples[j]), Double(samples[j + 1]))
            let weights = UnsafeRawPointer(window + j).loadUnaligned(as: SIMD2<Double>.self)
            UnsafeMutableRawPointer(frame + j).storeBytes(of: pair * weights, as: SIMD2<Double>.self)
            j += 2
        }
        if j < n { frame[j] = Double(samples[j]) * window[j] }
    }

    /// The signal with nFFT/2 samples of padding at each end, as librosa 0.11 builds it: the tail
    /// padding is made from only the samples the tail frames see, which differs from padding the
    /// whole signal for `reflect` when the hop is at least half a frame.
    private func centrePadded(_ signal: [Float]) -> [Float] {
        let n = settings.nFFT, hop = settings.hopLength, half = n / 2, count = signal.count
        let headFrames = (half + hop - 1) / hop
        // The first frame that reaches into the tail padding (Python's floor division).
        let reach = count + half - n
        let tailStart = (reach >= 0 ? reach / hop : -((hop - 1 - reach) / hop)) + 1
        let tail = tailStart > headFrames ? signal[min(tailStart * hop - half, count)...] : signal[...]
        // Written in one pass: the signal is copied once, not grown by appending.
        return [Float](unsafeUninitializedCapacity: count + 2 * half) { padded, initialized in
            for i in 0..<half { padded[i] = settings.padMode.value(signal, at: i - half) }
            _ = UnsafeMutableBufferPointer(rebasing: padded[half ..< half + count]).initialize(from: signal)
            for i in 0..<half {
                padded[half + count + i] = tail.isEmpty ? 0 : settings.padMode.value(tail, at: tail.count + i)
            }
            initialized = count + 2 * half
        }
    }
}

/// Magnitude and power spectrograms from complex ones.
public enum Spectrogram {
    /// |re + i im| of bins rounded to float32, as numpy's `abs` of complex64 computes it (hypot in
    /// double, rounded).
    @inline(__always)
    static func magnitude(_ re: Float, _ im: Float) -> Float {
        Float((Double(re) * Double(re) + Double(im) * Double(im)).squareRoot())
    }

    /// `magnitude` of `count` double-precision bins, two at a time (the square roots dominate).
    static func magnitudes(_ re: UnsafePointer<Double>, _ im: UnsafePointer<Double>, _ count: Int,
                           into target: UnsafeMutablePointer<Float>) {
        var i = 0
        while i + 2 <= count {
            let r = SIMD2(Double(Float(re[i])), Double(Float(re[i + 1])))
            let m = SIMD2(Double(Float(im[i])), Double(Float(im[i + 1])))
            let magnitude = (r * r + m * m).squareRoot()
            target[i] = Float(magnitude[0]); target[i + 1] = Float(magnitude[1])
            i += 2
        }
        if i < count { target[i] = magnitude(Float(re[i]), Float(im[i])) }
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
        let magnitudes = [Float](unsafeUninitializedCapacity: real.count) { target, initialized in
            real.withUnsafeBufferPointer { real in
                imaginary.withUnsafeBufferPointer { imaginary in
                    for i in 0 ..< real.count { target[i] = Spectrogram.magnitude(real[i], imaginary[i]) }
                }
            }
            initialized = real.count
        }
        return Spectrogram.raise(Matrix(rows: rows, columns: columns, values: magnitudes), toPower: power)
    }
}
