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
/// `RealFFT.forward(interleaved:)`); the (bins, frames) arrays are written and read a block of
/// frames at a time, and `GroupedSpectrum` keeps a spectrum in the groups' own layout for the inverse.
public struct STFT: Sendable {
    public let settings: STFTSettings
    private let window: [Double]
    /// The window in single precision, for the single-precision transforms.
    private let singleWindow: [Float]
    private let doubleFFT: RealFFT<Double>
    /// The inverse's, and the forward one's in single precision.
    private let singleFFT: RealFFT<Float>
    /// Two frames of doubles (an SSE register), eight of floats (an AVX register, or two SSE ones
    /// when built without AVX).
    private typealias DoubleLanes = SIMD2<Double>
    private typealias SingleLanes = SIMD8<Float>

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
        let parts = uninitializedArrays(counts: [settings.binCount * frames, settings.binCount * frames]) { parts in
            analyse(signal, frames: frames, real: parts[0], imaginary: parts[1], magnitude: nil, grouped: nil)
        }
        return ComplexMatrix(rows: settings.binCount, columns: frames, real: parts[0], imaginary: parts[1])
    }

    /// |STFT| ** power without keeping the complex matrix: power 1 gives the magnitude spectrogram,
    /// 2 the power spectrogram. Each bin is rounded to float32 before its magnitude is taken, as
    /// librosa takes `np.abs` of its complex64 STFT.
    public func magnitude(_ signal: [Float], power: Float = 1) throws(SpectralError) -> Matrix {
        let frames = try frameCount(signal)
        let values = uninitializedArrays(counts: [settings.binCount * frames]) { values in
            analyse(signal, frames: frames, real: nil, imaginary: nil, magnitude: values[0], grouped: nil)
        }
        let result = Matrix(rows: settings.binCount, columns: frames, values: values[0])
        return power == 1 ? result : Spectrogram.raise(result, toPower: power)
    }

    /// `transform`, in the layout the inverse reads, and `magnitude` (power 1) of the same signal
    /// from one pass over its frames.
    func transformAndMagnitude(_ signal: [Float]) throws(SpectralError) -> (spectrum: GroupedSpectrum, magnitude: Matrix) {
        let bins = settings.binCount, frames = try frameCount(signal)
        let parts = uninitializedArrays(counts: [GroupedSpectrum.valueCount(rows: bins, columns: frames), bins * frames]) { parts in
            analyse(signal, frames: frames, real: nil, imaginary: nil, magnitude: parts[1], grouped: parts[0])
        }
        return (GroupedSpectrum(rows: bins, columns: frames, values: parts[0]),
                Matrix(rows: bins, columns: frames, values: parts[1]))
    }

    /// The signal back from an STFT with this plan's settings, as `librosa.istft`: overlap-add of
    /// the windowed inverse transforms divided by the summed squared window where that sum is not
    /// tiny. `length` trims or zero-pads the result to exactly that many samples.
    public func inverse(_ spectrum: ComplexMatrix, length: Int? = nil) throws(SpectralError) -> [Float] {
        try inverse(GroupedSpectrum(spectrum), scaledBy: nil, length: length)
    }

    /// `inverse` of the spectrum times `mask` (same shape), without making the masked spectrum.
    func inverse(_ spectrum: GroupedSpectrum, scaledBy mask: Matrix?, length: Int? = nil) throws(SpectralError) -> [Float] {
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
                // Dividing by 1 where the sum is tiny, rather than branching, lets the loop vectorise.
                let weight = envelope[j]
                sum[first + j] /= weight > tiny ? weight : 1
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
                         imaginary: UnsafeMutablePointer<Float>?, magnitude: UnsafeMutablePointer<Float>?,
                         grouped: UnsafeMutablePointer<Float>?) {
        let outputs = Outputs(real: real, imaginary: imaginary, magnitude: magnitude, grouped: grouped)
        switch settings.precision {
        case .double: analyse(DoubleLanes.self, doubleFFT, window, signal, frames, outputs)
        case .single: analyse(SingleLanes.self, singleFFT, singleWindow, signal, frames, outputs)
        }
    }

    /// Where `analyse` writes: (bins, frames) arrays, and a `GroupedSpectrum`'s values.
    private struct Outputs {
        let real, imaginary, magnitude, grouped: UnsafeMutablePointer<Float>?
    }

    @inline(__always)
    private func analyse<L: STFTLane>(
        _: L.Type, _ fft: RealFFT<L.Element>, _ window: [L.Element], _ signal: [Float], _ frames: Int, _ outputs: Outputs
    ) {
        let bins = settings.binCount, width = L.width
        var tail = [Float](repeating: 0, count: width)
        // The single-precision groups are the spectrum's groups: the transforms write them in place.
        let inPlace = L.Element.self == Float.self && width == GroupedSpectrum.width
            ? outputs.grouped.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: L.Element.self) } : nil
        forEachForwardBlock(L.self, fft, window, signal, frames, into: inPlace) { first, count, spectra in
            /// Writes value(real parts, imaginary parts) of every bin of the block's frames into `target`,
            /// row by row: a row's values of a block are neighbours.
            @inline(__always)
            func write(_ target: UnsafeMutablePointer<Float>?, _ value: (L, L) -> L) {
                guard let target else { return }
                for k in 0 ..< bins {
                    let row = target + k * frames + first
                    for g in stride(from: 0, to: count, by: width) {
                        let r = spectra + 2 * bins * g + k * width
                        let values = value(L(r), L(r + bins * width))
                        if g + width <= count {
                            values.storeRounded(row + g)
                        } else {
                            values.storeRounded(&tail)
                            for f in 0 ..< count - g { row[g + f] = tail[f] }
                        }
                    }
                }
            }
            write(outputs.real) { re, _ in re }
            write(outputs.imaginary) { _, im in im }
            write(outputs.magnitude) { re, im in L.magnitudes(re, im) }
            guard let grouped = outputs.grouped, inPlace == nil else { return }
            // Frame i of the block is lane i % width of the transform group starting at i - i % width.
            let groupWidth = GroupedSpectrum.width
            for g in stride(from: 0, to: count, by: groupWidth) {
                let target = grouped + (first + g) / groupWidth * GroupedSpectrum.groupCount(rows: bins)
                for f in 0 ..< groupWidth {
                    let frame = min(g + f, count - 1), lane = frame % width
                    let re = spectra + 2 * bins * (frame - lane) + lane, im = re + bins * width
                    for k in 0 ..< bins {
                        target[k * groupWidth + f] = Float(re[k * width])
                        target[(bins + k) * groupWidth + f] = Float(im[k * width])
                    }
                }
            }
        }
    }

    /// Frames per block: the (bins, frames) rows are read and written 64 values (four cache lines)
    /// at a time, rather than a group's few values at a time, which kept the loads waiting on memory.
    static let blockFrames = 64

    /// Windows and transforms the frames in blocks of `blockFrames`, in groups of `L.width`, handing
    /// each block's spectra to `body` as (first frame, frame count, spectra). The spectra are
    /// interleaved group by group: 2 × bins × width values a group (real parts, then imaginary
    /// parts), bin k of the group's frame f at k × width + f. A short last group repeats its last frame.
    /// With a `destination`, the spectra of all frames are written there in that layout, one group
    /// after the other; without, into a buffer for one block.
    @inline(__always)
    private func forEachForwardBlock<L: STFTLane>(
        _: L.Type, _ fft: RealFFT<L.Element>, _ window: [L.Element], _ signal: [Float], _ frames: Int,
        into destination: UnsafeMutablePointer<L.Element>?, _ body: (Int, Int, UnsafePointer<L.Element>) -> Void
    ) {
        let n = settings.nFFT, hop = settings.hopLength, bins = settings.binCount, width = L.width
        let padded = settings.center ? centrePadded(signal) : signal
        var values = [L.Element](repeating: 0, count: n * width)
        var spectra = [L.Element](repeating: 0, count: 2 * bins * Self.blockFrames)
        // Where each frame of a group starts in the padded signal.
        let starts = UnsafeMutableBufferPointer<UnsafePointer<Float>>.allocate(capacity: width)
        defer { starts.deallocate() }
        let scratch = FFTScratch<L.Element>(count: fft.interleavedScratchCount(L.self))
        padded.withUnsafeBufferPointer { samples in
        window.withUnsafeBufferPointer { window in
        values.withUnsafeMutableBufferPointer { values in
        spectra.withUnsafeMutableBufferPointer { spectra in
            for first in stride(from: 0, to: frames, by: Self.blockFrames) {
                let count = min(Self.blockFrames, frames - first)
                for g in stride(from: 0, to: count, by: width) {
                    // As librosa: float32 samples times the window in the transform's precision.
                    for f in 0 ..< width { starts[f] = samples.baseAddress! + (first + min(g + f, count - 1)) * hop }
                    var j = 0
                    while j + 4 <= n {
                        L.storeWindowed(starts.baseAddress!, j, window.baseAddress!, to: values.baseAddress! + j * width)
                        j += 4
                    }
                    for j in j ..< n {
                        for f in 0 ..< width { values[j * width + f] = L.Element(starts[f][j]) * window[j] }
                    }
                    let re = (destination.map { $0 + 2 * bins * first } ?? spectra.baseAddress!) + 2 * bins * g
                    fft.forward(interleaved: values.baseAddress!, L.self, real: re, imaginary: re + bins * width,
                                scratch: scratch)
                }
                body(first, count, destination.map { UnsafePointer($0 + 2 * bins * first) } ?? UnsafePointer(spectra.baseAddress!))
            }
        }}}}
    }

    /// Inverse-transforms the frames (times `mask`, if any) in groups of `GroupedSpectrum.width`,
    /// handing each group's signals to `body` as (first frame, frame count, samples), interleaved:
    /// sample j of the group's frame f at j × width + f. The mask is read a block of `blockFrames`
    /// at a time, a cache line of each row.
    private func forEachInverseGroup(_ spectrum: GroupedSpectrum, scaledBy mask: Matrix?, frames: Int,
                                     _ body: (Int, Int, UnsafePointer<Float>) -> Void) {
        let n = settings.nFFT, bins = settings.binCount, width = GroupedSpectrum.width
        let groupCount = GroupedSpectrum.groupCount(rows: bins)
        var values = [Float](repeating: 0, count: n * width)
        // The mask's values for the block's groups, then one group's masked spectrum.
        var masked = [Float](repeating: 0, count: mask == nil ? 0 : Self.blockFrames * bins + groupCount)
        let scratch = FFTScratch<Float>(count: singleFFT.interleavedScratchCount(SingleLanes.self))
        spectrum.values.withUnsafeBufferPointer { spectra in
        (mask?.values ?? []).withUnsafeBufferPointer { mask in
        values.withUnsafeMutableBufferPointer { values in
        masked.withUnsafeMutableBufferPointer { masked in
            for first in stride(from: 0, to: frames, by: Self.blockFrames) {
                let count = min(Self.blockFrames, frames - first)
                if !mask.isEmpty {
                    gatherGroups(mask.baseAddress!, columns: spectrum.columns, rows: bins, first: first, count: count) { g in
                        masked.baseAddress! + g / width * bins * width
                    }
                }
                for g in stride(from: 0, to: count, by: width) {
                    var re = spectra.baseAddress! + (first + g) / width * groupCount
                    if !mask.isEmpty {
                        let factors = masked.baseAddress! + g / width * bins * width
                        let product = masked.baseAddress! + Self.blockFrames / width * bins * width
                        for i in stride(from: 0, to: bins * width, by: width) {
                            let factor = SingleLanes(factors + i)
                            (SingleLanes(re + i) * factor).store(product + i)
                            (SingleLanes(re + bins * width + i) * factor).store(product + bins * width + i)
                        }
                        re = UnsafePointer(product)
                    }
                    singleFFT.inverse(interleaved: re, re + bins * width, SingleLanes.self, signal: values.baseAddress!,
                                      scratch: scratch)
                    body(first + g, min(width, count - g), values.baseAddress!)
                }
            }
        }}}}
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
                let w = SIMD4<Float>(window.baseAddress! + j)
                for f in 0 ..< count {
                    let destination = target + f * hop + j
                    (SIMD4<Float>(destination) + w * SIMD4<Float>(v0[f], v1[f], v2[f], v3[f])).store(destination)
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

/// What the STFT needs of the lane vectors it transforms frames in, beyond the FFT's needs.
protocol STFTLane: FFTLane {
    /// The lanes rounded to float32 (as the STFT's bins are), stored at `target`.
    func storeRounded(_ target: UnsafeMutablePointer<Float>)
    /// |re + i im| of the bins rounded to float32 first, as numpy's abs of complex64 computes it
    /// (in double, then rounded).
    static func magnitudes(_ re: Self, _ im: Self) -> Self
    /// Samples j ..< j + 4 of each lane's frame (lane f's at frames[f]) times the window, as the
    /// STFT's precision multiplies them, stored interleaved: sample j + i of lane f at i × width + f.
    static func storeWindowed(_ frames: UnsafePointer<UnsafePointer<Float>>, _ j: Int, _ window: UnsafePointer<Element>,
                              to target: UnsafeMutablePointer<Element>)
}

extension SIMD2: STFTLane where Scalar == Double {
    @inline(__always)
    static func storeWindowed(_ frames: UnsafePointer<UnsafePointer<Float>>, _ j: Int, _ window: UnsafePointer<Double>,
                              to target: UnsafeMutablePointer<Double>) {
        let a = SIMD4<Double>(SIMD4<Float>(frames[0] + j)), b = SIMD4<Double>(SIMD4<Float>(frames[1] + j))
        for i in 0 ..< 4 { (Self(a[i], b[i]) * window[j + i]).store(target + 2 * i) }
    }

    @inline(__always)
    func storeRounded(_ target: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(target).storeBytes(of: SIMD2<Float>(self), as: SIMD2<Float>.self)
    }

    @inline(__always)
    static func magnitudes(_ re: Self, _ im: Self) -> Self {
        let r = Self(SIMD2<Float>(re)), i = Self(SIMD2<Float>(im))
        return (r * r + i * i).squareRoot()
    }
}

extension SIMD8: STFTLane where Scalar == Float {
    @inline(__always)
    static func storeWindowed(_ frames: UnsafePointer<UnsafePointer<Float>>, _ j: Int, _ window: UnsafePointer<Float>,
                              to target: UnsafeMutablePointer<Float>) {
        func load(_ f: Int) -> SIMD4<Float> { SIMD4(frames[f] + j) }
        let a = load(0), b = load(1), c = load(2), d = load(3), e = load(4), f = load(5), g = load(6), h = load(7)
        for i in 0 ..< 4 { (Self(a[i], b[i], c[i], d[i], e[i], f[i], g[i], h[i]) * window[j + i]).store(target + 8 * i) }
    }

    @inline(__always)
    func storeRounded(_ target: UnsafeMutablePointer<Float>) { store(target) }

    @inline(__always)
    static func magnitudes(_ re: Self, _ im: Self) -> Self {
        let r = SIMD8<Double>(re), i = SIMD8<Double>(im)
        return Self((r * r + i * i).squareRoot())
    }
}

/// An STFT in the layout the transforms work in: frames in groups of `width`, each group's bins
/// interleaved (bin k of the group's frame f at k × width + f), its real parts then its imaginary
/// parts; a short last group repeats its last frame. The inverse STFT reads it in order, where the
/// rows of a (bins, frames) matrix would be read a few values at a time each.
struct GroupedSpectrum: Sendable {
    static let width = 8
    let rows: Int
    let columns: Int
    let values: [Float]

    /// Values per group: real and imaginary parts of `rows` bins of `width` frames.
    static func groupCount(rows: Int) -> Int { 2 * rows * width }

    static func valueCount(rows: Int, columns: Int) -> Int { (columns + width - 1) / width * groupCount(rows: rows) }

    init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == Self.valueCount(rows: rows, columns: columns), "the values do not fill the groups")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// The groups of a (bins, frames) complex matrix.
    init(_ spectrum: ComplexMatrix) {
        let rows = spectrum.rows, columns = spectrum.columns, width = Self.width, count = Self.groupCount(rows: rows)
        let values = uninitializedArrays(counts: [Self.valueCount(rows: rows, columns: columns)]) { values in
            spectrum.real.withUnsafeBufferPointer { real in
                spectrum.imaginary.withUnsafeBufferPointer { imaginary in
                    for first in stride(from: 0, to: columns, by: STFT.blockFrames) {
                        let frames = min(STFT.blockFrames, columns - first)
                        let groups = values[0] + first / width * count
                        gatherGroups(real.baseAddress!, columns: columns, rows: rows, first: first, count: frames) { g in
                            groups + g / width * count
                        }
                        gatherGroups(imaginary.baseAddress!, columns: columns, rows: rows, first: first, count: frames) { g in
                            groups + g / width * count + rows * width
                        }
                    }
                }
            }
        }
        self.init(rows: rows, columns: columns, values: values[0])
    }
}

/// Copies frames `first ..< first + count` of a (rows, columns) matrix into groups of
/// `GroupedSpectrum.width` frames: row k of frame first + g + f to target(g)[k × width + f], for
/// g = 0, width, 2 width...; a short last group repeats its last frame. Each row is read `count`
/// values in a row.
@inline(__always)
func gatherGroups(_ matrix: UnsafePointer<Float>, columns: Int, rows: Int, first: Int, count: Int,
                  into target: (Int) -> UnsafeMutablePointer<Float>) {
    let width = GroupedSpectrum.width
    for k in 0 ..< rows {
        let row = matrix + k * columns + first
        for g in stride(from: 0, to: count, by: width) {
            let group = target(g) + k * width
            if g + width <= count {
                UnsafeMutableRawPointer(group).storeBytes(of: UnsafeRawPointer(row + g).loadUnaligned(as: SIMD8<Float>.self),
                                                          as: SIMD8<Float>.self)
            } else {
                for f in 0 ..< width { group[f] = row[min(g + f, count - 1)] }
            }
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
        // Written in one pass into a new array: raising a copy would copy it first.
        switch power {
        case 1: spectrogram
        case 2: spectrogram.map { $0 * $0 }
        default: spectrogram.map { pow($0, power) }
        }
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
