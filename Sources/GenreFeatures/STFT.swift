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
    /// The arithmetic of the forward transform.
    public var precision: Precision

    /// `double` is librosa's: a float64 FFT of the windowed float32 frames, each bin then rounded
    /// to float32. `single` transforms in float32, about twice as fast; its bins are within a few
    /// float32 roundings of the largest bin of their frame, so bins far below that lose digits.
    public enum Precision: Sendable, Equatable {
        case double, single
    }

    public init(nFFT: Int = 2048, hopLength: Int = 512, winLength: Int? = nil, window: Window = .hann,
                center: Bool = true, padMode: PadMode = .constant, precision: Precision = .double) {
        self.nFFT = nFFT
        self.hopLength = hopLength
        self.winLength = winLength
        self.window = window
        self.center = center
        self.padMode = padMode
        self.precision = precision
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
/// transforms in double precision (unless `settings.precision` says otherwise), rounding the bins to
/// float32 at the end; the inverse transforms in single precision, as numpy does for complex64
/// input. Frames go through the FFT in groups, one per SIMD lane (see
/// `RealFFT.forward(interleaved:)`), so each group's bins are stored straight into the
/// (bins, frames) arrays, a few neighbouring frames at a time.
public struct STFT: Sendable {
    public let settings: STFTSettings
    private let window: [Double]
    /// The window in single precision, for the single-precision transforms.
    private let singleWindow: [Float]
    private let doubleFFT: RealFFT<Double>
    /// The inverse's, and the forward one's in single precision.
    private let singleFFT: RealFFT<Float>
    /// One SSE register of each precision: two frames of doubles, four of floats.
    private typealias DoubleLanes = SIMD2<Double>
    private typealias SingleLanes = SIMD4<Float>

    public init(_ settings: STFTSettings = STFTSettings()) throws(SpectralError) {
        try settings.validate()
        self.settings = settings
        window = settings.paddedWindow
        singleWindow = window.map { Float($0) }
        doubleFFT = try RealFFT(count: settings.nFFT)
        singleFFT = try RealFFT(count: settings.nFFT)
    }

    /// The complex STFT, (1 + nFFT/2, frames).
    public func transform(_ signal: [Float]) throws(SpectralError) -> ComplexMatrix {
        let frames = try frameCount(signal)
        let parts = uninitializedArrays(2, count: settings.binCount * frames) { parts in
            analyse(signal, frames: frames, real: parts[0], imaginary: parts[1], magnitude: nil)
        }
        return ComplexMatrix(rows: settings.binCount, columns: frames, real: parts[0], imaginary: parts[1])
    }

    /// |STFT| ** power without keeping the complex matrix: power 1 gives the magnitude spectrogram,
    /// 2 the power spectrogram. Each bin is rounded to float32 before its magnitude is taken, as
    /// librosa takes `np.abs` of its complex64 STFT.
    public func magnitude(_ signal: [Float], power: Float = 1) throws(SpectralError) -> Matrix {
        let frames = try frameCount(signal)
        let values = uninitializedArrays(1, count: settings.binCount * frames) { values in
            analyse(signal, frames: frames, real: nil, imaginary: nil, magnitude: values[0])
        }
        let result = Matrix(rows: settings.binCount, columns: frames, values: values[0])
        return power == 1 ? result : Spectrogram.raise(result, toPower: power)
    }

    /// `transform` and `magnitude` (power 1) of the same signal from one pass over its frames.
    func transformAndMagnitude(_ signal: [Float]) throws(SpectralError) -> (spectrum: ComplexMatrix, magnitude: Matrix) {
        let bins = settings.binCount, frames = try frameCount(signal)
        let parts = uninitializedArrays(3, count: bins * frames) { parts in
            analyse(signal, frames: frames, real: parts[0], imaginary: parts[1], magnitude: parts[2])
        }
        return (ComplexMatrix(rows: bins, columns: frames, real: parts[0], imaginary: parts[1]),
                Matrix(rows: bins, columns: frames, values: parts[2]))
    }

    /// The signal back from an STFT with this plan's settings, as `librosa.istft`: overlap-add of
    /// the windowed inverse transforms divided by the summed squared window where that sum is not
    /// tiny. `length` trims or zero-pads the result to exactly that many samples.
    public func inverse(_ spectrum: ComplexMatrix, length: Int? = nil) throws(SpectralError) -> [Float] {
        try inverse(spectrum, scaledBy: nil, length: length)
    }

    /// `inverse` of the spectrum times `mask` (same shape), without making the masked spectrum.
    func inverse(_ spectrum: ComplexMatrix, scaledBy mask: Matrix?, length: Int? = nil) throws(SpectralError) -> [Float] {
        let n = settings.nFFT, hop = settings.hopLength
        guard spectrum.rows == settings.binCount else {
            throw .shapeMismatch("an STFT with nFFT \(n) has \(settings.binCount) rows, not \(spectrum.rows)")
        }
        if let mask, mask.rows != spectrum.rows || mask.columns != spectrum.columns {
            throw .shapeMismatch("a \(mask.rows)x\(mask.columns) mask for a \(spectrum.rows)x\(spectrum.columns) STFT")
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

        // Overlap-add in float32 as librosa does (it adds float64 windowed frames, each sum rounded
        // to float32; here the products are float32 too).
        let fullLength = n + hop * (frames - 1)
        var sum = [Float](repeating: 0, count: fullLength)
        sum.withUnsafeMutableBufferPointer { sum in
            forEachInverseGroup(spectrum, scaledBy: mask, frames: frames) { first, count, values in
                overlapAdd(values, lanes: count, into: sum.baseAddress! + first * hop)
            }
            divideByWindowSumSquare(sum.baseAddress!, frames: frames)
        }
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
        for t in 0 ..< min(frames, shortRun) {
            for j in 0 ..< n { envelope[t * hop + j] = Float(Double(envelope[t * hop + j]) + squared[j]) }
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

    /// Transforms the frames and writes whichever of the real parts, imaginary parts and magnitudes
    /// are asked for, each (bins, frames).
    private func analyse(_ signal: [Float], frames: Int, real: UnsafeMutablePointer<Float>?,
                         imaginary: UnsafeMutablePointer<Float>?, magnitude: UnsafeMutablePointer<Float>?) {
        switch settings.precision {
        case .double:
            analyse(DoubleLanes.self, doubleFFT, window, signal, frames, real, imaginary, magnitude)
        case .single:
            analyse(SingleLanes.self, singleFFT, singleWindow, signal, frames, real, imaginary, magnitude)
        }
    }

    @inline(__always)
    private func analyse<L: FFTLane>(
        _: L.Type, _ fft: RealFFT<L.Element>, _ window: [L.Element], _ signal: [Float], _ frames: Int,
        _ real: UnsafeMutablePointer<Float>?, _ imaginary: UnsafeMutablePointer<Float>?, _ magnitude: UnsafeMutablePointer<Float>?
    ) {
        let bins = settings.binCount, width = L.width
        forEachForwardBlock(L.self, fft, window, signal, frames) { first, count, spectra in
            /// Writes value(real part, imaginary part) of every bin of the block's frames into `target`,
            /// row by row: a row's values of a block are neighbours.
            @inline(__always)
            func write(_ target: UnsafeMutablePointer<Float>?, _ value: (L.Element, L.Element) -> Float) {
                guard let target else { return }
                for k in 0 ..< bins {
                    let row = target + k * frames + first
                    for g in stride(from: 0, to: count, by: width) {
                        let r = spectra + 2 * bins * g + k * width, i = r + bins * width
                        if g + width <= count {
                            for f in 0 ..< width { row[g + f] = value(r[f], i[f]) }
                        } else {
                            for f in 0 ..< count - g { row[g + f] = value(r[f], i[f]) }
                        }
                    }
                }
            }
            write(real) { re, _ in Float(re) }
            write(imaginary) { _, im in Float(im) }
            write(magnitude) { re, im in Spectrogram.magnitude(Float(re), Float(im)) }
        }
    }

    /// Frames per block: 16 floats fill a cache line of each (bins, frames) row, so rows are read
    /// and written a line at a time rather than a group's few values at a time.
    private static let blockFrames = 64

    /// Windows and transforms the frames in blocks of `blockFrames`, in groups of `L.width`, handing
    /// each block's spectra to `body` as (first frame, frame count, spectra). The spectra are
    /// interleaved group by group: 2 × bins × width values a group (real parts, then imaginary
    /// parts), bin k of the group's frame f at k × width + f. A short last group repeats its last frame.
    @inline(__always)
    private func forEachForwardBlock<L: FFTLane>(
        _: L.Type, _ fft: RealFFT<L.Element>, _ window: [L.Element], _ signal: [Float], _ frames: Int,
        _ body: (Int, Int, UnsafePointer<L.Element>) -> Void
    ) {
        let n = settings.nFFT, hop = settings.hopLength, bins = settings.binCount, width = L.width
        let padded = settings.center ? centrePadded(signal) : signal
        var values = [L.Element](repeating: 0, count: n * width)
        var spectra = [L.Element](repeating: 0, count: 2 * bins * Self.blockFrames)
        let scratch = FFTScratch<L.Element>(count: fft.interleavedScratchCount(L.self))
        padded.withUnsafeBufferPointer { samples in
        window.withUnsafeBufferPointer { window in
        values.withUnsafeMutableBufferPointer { values in
        spectra.withUnsafeMutableBufferPointer { spectra in
            for first in stride(from: 0, to: frames, by: Self.blockFrames) {
                let count = min(Self.blockFrames, frames - first)
                for g in stride(from: 0, to: count, by: width) {
                    // As librosa: float32 samples times the window in the transform's precision.
                    for f in 0 ..< width {
                        let frame = samples.baseAddress! + (first + min(g + f, count - 1)) * hop
                        for j in 0 ..< n { values[j * width + f] = L.Element(frame[j]) * window[j] }
                    }
                    let re = spectra.baseAddress! + 2 * bins * g
                    fft.forward(interleaved: values.baseAddress!, L.self, real: re, imaginary: re + bins * width,
                                scratch: scratch)
                }
                body(first, count, spectra.baseAddress!)
            }
        }}}}
    }

    /// Inverse-transforms the frames (times `mask`, if any) in groups of `SingleLanes.width`,
    /// handing each group's signals to `body` as (first frame, frame count, samples), interleaved:
    /// sample j of the group's frame f at j × width + f. The spectra are read a block of
    /// `blockFrames` at a time, a cache line of each row.
    private func forEachInverseGroup(_ spectrum: ComplexMatrix, scaledBy mask: Matrix?, frames: Int,
                                     _ body: (Int, Int, UnsafePointer<Float>) -> Void) {
        let n = settings.nFFT, bins = settings.binCount, columns = spectrum.columns, width = SingleLanes.width
        var values = [Float](repeating: 0, count: n * width)
        var spectra = [Float](repeating: 0, count: 2 * bins * Self.blockFrames)
        let scratch = FFTScratch<Float>(count: singleFFT.interleavedScratchCount(SingleLanes.self))
        spectrum.real.withUnsafeBufferPointer { real in
        spectrum.imaginary.withUnsafeBufferPointer { imaginary in
        (mask?.values ?? []).withUnsafeBufferPointer { mask in
        values.withUnsafeMutableBufferPointer { values in
        spectra.withUnsafeMutableBufferPointer { spectra in
            for first in stride(from: 0, to: frames, by: Self.blockFrames) {
                let count = min(Self.blockFrames, frames - first)
                for k in 0 ..< bins {
                    let row = k * columns + first
                    for g in stride(from: 0, to: count, by: width) {
                        let re = spectra.baseAddress! + 2 * bins * g + k * width, im = re + bins * width
                        if g + width <= count {
                            let factors = mask.isEmpty ? SingleLanes(repeating: 1) : SingleLanes(mask.baseAddress! + row + g)
                            (SingleLanes(real.baseAddress! + row + g) * factors).store(re)
                            (SingleLanes(imaginary.baseAddress! + row + g) * factors).store(im)
                        } else {
                            for f in 0 ..< width {
                                let index = row + min(g + f, count - 1), factor = mask.isEmpty ? 1 : mask[index]
                                re[f] = real[index] * factor
                                im[f] = imaginary[index] * factor
                            }
                        }
                    }
                }
                for g in stride(from: 0, to: count, by: width) {
                    let re = spectra.baseAddress! + 2 * bins * g
                    singleFFT.inverse(interleaved: re, re + bins * width, SingleLanes.self, signal: values.baseAddress!,
                                      scratch: scratch)
                    body(first + g, min(width, count - g), values.baseAddress!)
                }
            }
        }}}}}
    }

    /// Adds the first `count` lanes of a group's frames (interleaved), times the window, into the
    /// signal at `hop` apart from `target`: four samples of each lane at a time, transposed out of
    /// four interleaved vectors.
    private func overlapAdd(_ values: UnsafePointer<Float>, lanes count: Int, into target: UnsafeMutablePointer<Float>) {
        let n = settings.nFFT, hop = settings.hopLength, width = SingleLanes.width
        singleWindow.withUnsafeBufferPointer { window in
            var j = 0
            while j + 4 <= n {
                let v0 = SingleLanes(values + j * width), v1 = SingleLanes(values + (j + 1) * width)
                let v2 = SingleLanes(values + (j + 2) * width), v3 = SingleLanes(values + (j + 3) * width)
                let w = SingleLanes(window.baseAddress! + j)
                for f in 0 ..< count {
                    let destination = target + f * hop + j
                    (SingleLanes(destination) + w * SingleLanes(v0[f], v1[f], v2[f], v3[f])).store(destination)
                }
                j += 4
            }
            for j in j ..< n {
                for f in 0 ..< count { target[f * hop + j] += window[j] * values[j * width + f] }
            }
        }
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
