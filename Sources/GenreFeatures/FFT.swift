import Foundation

/// The floating-point types the FFT runs in. librosa's STFT multiplies float32 frames by a float64
/// window and transforms in float64, so the STFT uses `Double`; `Float` is faster elsewhere.
public protocol FFTScalar: BinaryFloatingPoint, SIMDScalar, BitwiseCopyable, Codable, Sendable {}
extension Float: FFTScalar {}
extension Double: FFTScalar {}

/// Working memory for one thread's transforms (make one per task with `RealFFT.makeScratch()`).
/// It is deliberately not `Sendable`: the plan is shared, the scratch is not.
public final class FFTScratch<Scalar: FFTScalar> {
    public let count: Int
    let base: UnsafeMutablePointer<Scalar>

    public init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { base.deallocate() }
}

/// A plan for the discrete Fourier transform of `count` real samples, as `numpy.fft.rfft` and
/// `irfft` compute it: `count / 2 + 1` bins out, and the inverse scaled by `1 / count`.
///
/// Even sizes run as a complex transform of half the size; powers of two use radix-4 Stockham passes
/// on split real/imaginary arrays, other sizes Bluestein's chirp-z algorithm. The plan is immutable
/// (share it between threads); each caller brings its own `FFTScratch`.
public struct RealFFT<Scalar: FFTScalar>: Sendable {
    public let count: Int
    /// Complex transform of `count / 2` points for even sizes, of `count` points for odd ones.
    let complex: ComplexFFT<Scalar>
    /// exp(-2πik / count) for k in 0..<count/2, real parts then imaginary parts (even sizes only).
    let twiddles: Table<Scalar>

    public var binCount: Int { count / 2 + 1 }
    /// The scratch size `forward` and `inverse` need.
    public var scratchCount: Int { Split<Scalar>.footprint(complex.count) + complex.scratchCount }

    public init(count: Int) throws(SpectralError) {
        guard count >= 1 else {
            throw .parameterOutOfRange(name: "FFT size", value: "\(count)", valid: "at least 1")
        }
        self.count = count
        let even = count % 2 == 0
        complex = ComplexFFT(count: even ? count / 2 : count)
        let angles = even ? (0 ..< count / 2).map { 2 * Double.pi * Double($0) / Double(count) } : []
        twiddles = Table(angles.map { Scalar(cos($0)) } + angles.map { Scalar(-sin($0)) })
    }

    public func makeScratch() -> FFTScratch<Scalar> { FFTScratch(count: scratchCount) }

    /// Transforms `count` samples into `binCount` bins.
    // Pre-specialised so that other modules get the fast code, not the unspecialised generic one.
    @_specialize(exported: true, where Scalar == Float)
    @_specialize(exported: true, where Scalar == Double)
    public func forward(_ signal: UnsafePointer<Scalar>, real: UnsafeMutablePointer<Scalar>,
                        imaginary: UnsafeMutablePointer<Scalar>, scratch: FFTScratch<Scalar>) {
        precondition(scratch.count >= scratchCount, "the scratch is smaller than scratchCount")
        let n = complex.count
        let z = Split(carving: scratch.base, count: n)
        let rest = scratch.base + Split<Scalar>.footprint(n)
        let x = Split(re: real, im: imaginary)
        if count % 2 == 1 {
            z.re.update(from: signal, count: n)
            z.im.update(repeating: 0, count: n)
            let spectrum = complex.transform(z, scratch: rest)
            x.re.update(from: spectrum.re, count: binCount)
            x.im.update(from: spectrum.im, count: binCount)
        } else if MemoryLayout<Scalar>.size == 4 {
            forwardEven(SIMD4<Scalar>.self, signal, x, z, rest)
        } else {
            forwardEven(SIMD2<Scalar>.self, signal, x, z, rest)
        }
    }

    /// Transforms `binCount` bins back into `count` samples; the imaginary parts of the DC and (for
    /// even sizes) Nyquist bins are ignored, as numpy does.
    // Pre-specialised so that other modules get the fast code, not the unspecialised generic one.
    @_specialize(exported: true, where Scalar == Float)
    @_specialize(exported: true, where Scalar == Double)
    public func inverse(real: UnsafePointer<Scalar>, imaginary: UnsafePointer<Scalar>,
                        signal: UnsafeMutablePointer<Scalar>, scratch: FFTScratch<Scalar>) {
        precondition(scratch.count >= scratchCount, "the scratch is smaller than scratchCount")
        let n = complex.count
        let z = Split(carving: scratch.base, count: n)
        let rest = scratch.base + Split<Scalar>.footprint(n)
        if count % 2 == 1 {
            // Rebuild the Hermitian spectrum, then invert by conjugation: conj(DFT(conj Z)) / n.
            z.re[0] = real[0]
            z.im[0] = 0
            for k in 1 ..< binCount {
                z.re[k] = real[k]; z.im[k] = -imaginary[k]
                z.re[n - k] = real[k]; z.im[n - k] = imaginary[k]
            }
            let result = complex.transform(z, scratch: rest)
            let scale = 1 / Scalar(n)
            for j in 0..<n { signal[j] = result.re[j] * scale }
            return
        }
        let x = Split(re: UnsafeMutablePointer(mutating: real), im: UnsafeMutablePointer(mutating: imaginary))
        if MemoryLayout<Scalar>.size == 4 {
            inverseEven(SIMD4<Scalar>.self, x, signal, z, rest)
        } else {
            inverseEven(SIMD2<Scalar>.self, x, signal, z, rest)
        }
    }

    /// Array form of `forward` (allocates; use the pointer form in loops).
    public func forward(_ signal: [Scalar]) -> (real: [Scalar], imaginary: [Scalar]) {
        precondition(signal.count == count, "the signal has \(signal.count) samples, the plan \(count)")
        var real = [Scalar](repeating: 0, count: binCount), imaginary = real
        let scratch = makeScratch()
        signal.withUnsafeBufferPointer { x in
            real.withUnsafeMutableBufferPointer { re in
                imaginary.withUnsafeMutableBufferPointer { im in
                    forward(x.baseAddress!, real: re.baseAddress!, imaginary: im.baseAddress!, scratch: scratch)
                }
            }
        }
        return (real, imaginary)
    }

    /// Array form of `inverse` (allocates; use the pointer form in loops).
    public func inverse(real: [Scalar], imaginary: [Scalar]) -> [Scalar] {
        precondition(real.count == binCount && imaginary.count == binCount,
                     "the spectrum must have \(binCount) bins")
        var signal = [Scalar](repeating: 0, count: count)
        let scratch = makeScratch()
        real.withUnsafeBufferPointer { re in
            imaginary.withUnsafeBufferPointer { im in
                signal.withUnsafeMutableBufferPointer { x in
                    inverse(real: re.baseAddress!, imaginary: im.baseAddress!, signal: x.baseAddress!, scratch: scratch)
                }
            }
        }
        return signal
    }

    /// Even sizes: z[l] = x[2l] + i x[2l+1] has the m-point DFT Z, and
    /// X[k] = E[k] + W^k O[k] with E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2i.
    @inline(__always)
    private func forwardEven<L: FFTLane>(_: L.Type, _ signal: UnsafePointer<Scalar>, _ x: Split<Scalar>,
                                         _ z: Split<Scalar>, _ rest: UnsafeMutablePointer<Scalar>)
    where L.Element == Scalar {
        let m = complex.count
        var l = 0
        while l + L.width <= m { L.deinterleave(signal + 2 * l, into: z, l); l += L.width }
        while l < m { ScalarLane.deinterleave(signal + 2 * l, into: z, l); l += 1 }
        let spectrum = complex.transform(z, scratch: rest)
        let w = twiddles.base
        x.re[0] = spectrum.re[0] + spectrum.im[0]; x.im[0] = 0
        x.re[m] = spectrum.re[0] - spectrum.im[0]; x.im[m] = 0
        @inline(__always)
        func bins<V: FFTLane>(_: V.Type, _ k: Int) where V.Element == Scalar {
            let a = V(spectrum.re + k), b = V(spectrum.im + k)
            let c = V(reversed: spectrum.re + m - k), d = V(reversed: spectrum.im + m - k)
            let half = V(repeating: 0.5)
            let er = half * (a + c), ei = half * (b - d)
            let or = half * (b + d), oi = half * (c - a)
            let wr = V(w + k), wi = V(w + m + k)
            (er + wr * or - wi * oi).store(x.re + k)
            (ei + wr * oi + wi * or).store(x.im + k)
        }
        var k = 1
        while k + L.width <= m { bins(L.self, k); k += L.width }
        while k < m { bins(ScalarLane<Scalar>.self, k); k += 1 }
    }

    /// The inverse of `forwardEven`: Z = E + iO from the bins, scaled by 1 / (2m) so that its
    /// unnormalised inverse DFT interleaves into the signal.
    @inline(__always)
    private func inverseEven<L: FFTLane>(_: L.Type, _ x: Split<Scalar>, _ signal: UnsafeMutablePointer<Scalar>,
                                         _ z: Split<Scalar>, _ rest: UnsafeMutablePointer<Scalar>)
    where L.Element == Scalar {
        let m = complex.count
        let scale = 1 / Scalar(count)
        let w = twiddles.base
        z.re[0] = (x.re[0] + x.re[m]) * scale
        z.im[0] = (x.re[0] - x.re[m]) * scale
        @inline(__always)
        func bins<V: FFTLane>(_: V.Type, _ k: Int) where V.Element == Scalar {
            let a = V(x.re + k), b = V(x.im + k)
            let c = V(reversed: x.re + m - k), d = V(reversed: x.im + m - k)
            let er = a + c, ei = b - d, dr = a - c, di = b + d
            let wr = V(w + k), wi = V(w + m + k)
            let or = dr * wr + di * wi, oi = di * wr - dr * wi
            let f = V(repeating: scale)
            ((er - oi) * f).store(z.re + k)
            ((ei + or) * f).store(z.im + k)
        }
        var k = 1
        while k + L.width <= m { bins(L.self, k); k += L.width }
        while k < m { bins(ScalarLane<Scalar>.self, k); k += 1 }
        // The inverse DFT is the forward one with real and imaginary parts swapped on the way in and out.
        let result = complex.transform(z.swapped, scratch: rest).swapped
        var l = 0
        while l + L.width <= m { L.interleave(result, l, into: signal + 2 * l); l += L.width }
        while l < m { ScalarLane.interleave(result, l, into: signal + 2 * l); l += 1 }
    }
}

// MARK: - Complex transforms

/// Split real and imaginary parts of a complex array.
struct Split<Scalar> {
    var re: UnsafeMutablePointer<Scalar>
    var im: UnsafeMutablePointer<Scalar>

    init(re: UnsafeMutablePointer<Scalar>, im: UnsafeMutablePointer<Scalar>) { self.re = re; self.im = im }

    /// Carves the parts of `count` values from the start of `memory`, `footprint(count)` values in
    /// all. The imaginary part starts a cache line past `count` so that buffers of power-of-two
    /// sizes do not share offsets in a 4 KiB page: loads would wait on unrelated stores.
    init(carving memory: UnsafeMutablePointer<Scalar>, count: Int) { self.init(re: memory, im: memory + count + 16) }

    static func footprint(_ count: Int) -> Int { 2 * (count + 16) }

    /// The same memory read as i * conj(z): the forward DFT of the swapped data, swapped back, is
    /// the unnormalised inverse DFT.
    var swapped: Split { Split(re: im, im: re) }
}

/// Constants of a plan at a stable address, shared by all copies of the plan.
final class Table<Scalar: FFTScalar>: @unchecked Sendable {
    // @unchecked: written only in `init`, read-only afterwards.
    let base: UnsafeMutablePointer<Scalar>

    init(_ values: [Scalar]) {
        base = .allocate(capacity: max(values.count, 1))
        base.initialize(from: values, count: values.count)
    }

    deinit { base.deallocate() }
}

/// A forward complex DFT of any size.
enum ComplexFFT<Scalar: FFTScalar>: Sendable {
    case powerOfTwo(PowerOfTwoFFT<Scalar>)
    case bluestein(Bluestein<Scalar>)

    init(count: Int) {
        self = count & (count - 1) == 0 ? .powerOfTwo(PowerOfTwoFFT(count: count)) : .bluestein(Bluestein(count: count))
    }

    var count: Int {
        switch self {
        case .powerOfTwo(let plan): plan.count
        case .bluestein(let plan): plan.count
        }
    }

    var scratchCount: Int {
        switch self {
        case .powerOfTwo(let plan): Split<Scalar>.footprint(plan.count)
        case .bluestein(let plan): 2 * Split<Scalar>.footprint(plan.inner.count)
        }
    }

    /// Transforms `data`, returning where the result is (`data` or a part of `scratch`).
    func transform(_ data: Split<Scalar>, scratch: UnsafeMutablePointer<Scalar>) -> Split<Scalar> {
        switch self {
        case .powerOfTwo(let plan):
            return plan.transform(data, work: Split(carving: scratch, count: plan.count))
        case .bluestein(let plan):
            plan.transform(data, scratch: scratch)
            return data
        }
    }
}

/// Stockham autosort decimation in frequency: radix-4 passes, then one radix-2 pass when log2(count)
/// is odd. Each pass reads one buffer and writes the other, and the output comes out in natural order.
struct PowerOfTwoFFT<Scalar: FFTScalar>: Sendable {
    struct Pass: Sendable {
        let radix: Int
        /// Length of the sub-transforms this pass splits, and the distance between their elements.
        let length: Int, stride: Int
        /// Where this pass's twiddles start: w^p, w^2p, w^3p for p < length / 4, each as real parts
        /// then imaginary parts, w = exp(-2πi / length).
        let twiddleOffset: Int
    }

    let count: Int
    let passes: [Pass]
    let twiddles: Table<Scalar>

    init(count: Int) {
        precondition(count > 0 && count & (count - 1) == 0, "\(count) is not a power of two")
        self.count = count
        var passes: [Pass] = [], twiddles: [Scalar] = []
        var length = count, stride = 1
        while length >= 4 {
            passes.append(Pass(radix: 4, length: length, stride: stride, twiddleOffset: twiddles.count))
            for power in 1...3 {
                let angles = (0 ..< length / 4).map { -2 * Double.pi * Double(power * $0) / Double(length) }
                twiddles += angles.map { Scalar(cos($0)) }
                twiddles += angles.map { Scalar(sin($0)) }
            }
            length /= 4
            stride *= 4
        }
        if length == 2 { passes.append(Pass(radix: 2, length: 2, stride: stride, twiddleOffset: 0)) }
        self.passes = passes
        self.twiddles = Table(twiddles)
    }

    /// Transforms `data` with `work` as the other buffer; returns the one holding the result.
    func transform(_ data: Split<Scalar>, work: Split<Scalar>) -> Split<Scalar> {
        // One SSE register per lane vector keeps a butterfly's operands in the 16 registers.
        MemoryLayout<Scalar>.size == 4
            ? transform(SIMD4<Scalar>.self, data, work) : transform(SIMD2<Scalar>.self, data, work)
    }

    @inline(__always)
    private func transform<L: FFTLane>(_: L.Type, _ data: Split<Scalar>, _ work: Split<Scalar>) -> Split<Scalar>
    where L.Element == Scalar {
        var source = data, target = work
        for pass in passes {
            switch (pass.radix, pass.stride) {
            case (4, 1) where pass.length % (4 * L.width) == 0:
                radix4FirstPass(L.self, pass, source, target)
            case (4, 1):
                radix4FirstPass(ScalarLane<Scalar>.self, pass, source, target)
            case (4, _) where pass.length == 4:
                radix4Pass(L.self, pass, source, target, twiddled: false)
            case (4, _):
                radix4Pass(L.self, pass, source, target, twiddled: true)
            case (_, 1):
                radix2Pass(ScalarLane<Scalar>.self, pass, source, target)
            default:
                radix2Pass(L.self, pass, source, target)
            }
            swap(&source, &target)
        }
        return source
    }

    /// The first pass (stride 1): lanes run over p, and the four outputs of each butterfly are
    /// neighbours, so they are stored transposed.
    @inline(__always)
    private func radix4FirstPass<L: FFTLane>(_: L.Type, _ pass: Pass, _ x: Split<Scalar>, _ y: Split<Scalar>)
    where L.Element == Scalar {
        let quarter = pass.length / 4
        let w = twiddles.base + pass.twiddleOffset
        var p = 0
        while p < quarter {
            let outputs = radix4Butterfly(
                LaneComplex<L>(x, p), LaneComplex(x, p &+ quarter), LaneComplex(x, p &+ 2 &* quarter), LaneComplex(x, p &+ 3 &* quarter))
            let y1 = LaneComplex(re: L(w + p), im: L(w + (quarter &+ p))) * outputs.1
            let y2 = LaneComplex(re: L(w + (2 &* quarter &+ p)), im: L(w + (3 &* quarter &+ p))) * outputs.2
            let y3 = LaneComplex(re: L(w + (4 &* quarter &+ p)), im: L(w + (5 &* quarter &+ p))) * outputs.3
            L.storeTransposed(outputs.0.re, y1.re, y2.re, y3.re, to: y.re + 4 &* p)
            L.storeTransposed(outputs.0.im, y1.im, y2.im, y3.im, to: y.im + 4 &* p)
            p &+= L.width
        }
    }

    /// Later passes (stride a multiple of 4): lanes run over the contiguous index q. The last
    /// radix-4 pass (length 4) has only unit twiddles. Elements are `spread` values apart: 1 for one
    /// sequence, the lane count for interleaved ones (see `transform(interleaved:)`).
    @inline(__always)
    func radix4Pass<L: FFTLane>(_: L.Type, _ pass: Pass, _ x: Split<Scalar>, _ y: Split<Scalar>, twiddled: Bool,
                                spread: Int = 1) where L.Element == Scalar {
        let quarter = pass.length / 4, s = pass.stride &* spread
        let w = twiddles.base + pass.twiddleOffset
        for p in 0..<quarter {
            let input = s &* p, output = 4 &* s &* p
            var w1 = LaneComplex(re: L(repeating: 1), im: L(repeating: 0)), w2 = w1, w3 = w1
            if twiddled {
                w1 = LaneComplex(re: L(repeating: w[p]), im: L(repeating: w[quarter + p]))
                w2 = LaneComplex(re: L(repeating: w[2 * quarter + p]), im: L(repeating: w[3 * quarter + p]))
                w3 = LaneComplex(re: L(repeating: w[4 * quarter + p]), im: L(repeating: w[5 * quarter + p]))
            }
            var q = 0
            while q < s {
                let i = input &+ q, o = output &+ q
                let outputs = radix4Butterfly(
                    LaneComplex<L>(x, i), LaneComplex(x, i &+ s &* quarter),
                    LaneComplex(x, i &+ 2 &* s &* quarter), LaneComplex(x, i &+ 3 &* s &* quarter))
                outputs.0.store(y, o)
                (twiddled ? w1 * outputs.1 : outputs.1).store(y, o &+ s)
                (twiddled ? w2 * outputs.2 : outputs.2).store(y, o &+ 2 &* s)
                (twiddled ? w3 * outputs.3 : outputs.3).store(y, o &+ 3 &* s)
                q &+= L.width
            }
        }
    }

    /// The last pass when log2(count) is odd: sub-transforms of length 2, no twiddles. Elements are
    /// `spread` values apart, as in `radix4Pass`.
    @inline(__always)
    func radix2Pass<L: FFTLane>(_: L.Type, _ pass: Pass, _ x: Split<Scalar>, _ y: Split<Scalar>, spread: Int = 1)
    where L.Element == Scalar {
        let s = pass.stride &* spread
        var q = 0
        while q < s {
            let a = LaneComplex<L>(x, q), b = LaneComplex<L>(x, q &+ s)
            (a + b).store(y, q)
            (a - b).store(y, q &+ s)
            q &+= L.width
        }
    }
}

/// Bluestein's algorithm: a DFT of any size N as a circular convolution of power-of-two size M,
/// using jk = (j² + k² - (k - j)²) / 2.
struct Bluestein<Scalar: FFTScalar>: Sendable {
    let count: Int
    let inner: PowerOfTwoFFT<Scalar>
    /// exp(-iπ j² / N), real parts then imaginary parts.
    let chirp: Table<Scalar>
    /// DFT of the conjugate chirp wrapped around M, divided by M, real then imaginary parts.
    let kernel: Table<Scalar>

    init(count n: Int) {
        count = n
        var m = 1
        while m < 2 * n - 1 { m *= 2 }
        let inner = PowerOfTwoFFT<Scalar>(count: m)
        self.inner = inner
        // j² mod 2N keeps the angle small and exact for large j.
        let angles = (0..<n).map { Double.pi * Double(($0 * $0) % (2 * n)) / Double(n) }
        chirp = Table(angles.map { Scalar(cos($0)) } + angles.map { Scalar(-sin($0)) })
        var wrapped = [Scalar](repeating: 0, count: 2 * Split<Scalar>.footprint(m))
        let spectrum = wrapped.withUnsafeMutableBufferPointer { buffer in
            let b = Split(carving: buffer.baseAddress!, count: m)
            for j in 0..<n {
                b.re[j] = Scalar(cos(angles[j])); b.im[j] = Scalar(sin(angles[j]))
                if j > 0 { b.re[m - j] = b.re[j]; b.im[m - j] = b.im[j] }
            }
            let result = inner.transform(b, work: Split(carving: b.re + Split<Scalar>.footprint(m), count: m))
            return (0..<m).map { result.re[$0] / Scalar(m) } + (0..<m).map { result.im[$0] / Scalar(m) }
        }
        kernel = Table(spectrum)
    }

    /// Transforms `data` (count points) in place; `scratch` holds two carved buffers of M points.
    func transform(_ data: Split<Scalar>, scratch: UnsafeMutablePointer<Scalar>) {
        let n = count, m = inner.count
        let a = Split(carving: scratch, count: m)
        let b = Split(carving: scratch + Split<Scalar>.footprint(m), count: m)
        let c = Split(re: chirp.base, im: chirp.base + n)
        let h = Split(re: kernel.base, im: kernel.base + m)
        typealias Value = LaneComplex<ScalarLane<Scalar>>
        for j in 0..<n { (Value(data, j) * Value(c, j)).store(a, j) }
        a.re.advanced(by: n).update(repeating: 0, count: m - n)
        a.im.advanced(by: n).update(repeating: 0, count: m - n)
        let spectrum = inner.transform(a, work: b)
        for k in 0..<m { (Value(spectrum, k) * Value(h, k)).store(spectrum, k) }
        let other = spectrum.re == a.re ? b : a
        let convolution = inner.transform(spectrum.swapped, work: other.swapped).swapped
        for k in 0..<n { (Value(convolution, k) * Value(c, k)).store(data, k) }
    }
}

// MARK: - Lanes: one butterfly code for scalars and SIMD vectors

/// What the transforms need from a lane of `width` values: arithmetic, loads and stores.
protocol FFTLane {
    associatedtype Element: FFTScalar
    static var width: Int { get }
    init(repeating: Element)
    /// Loads `width` consecutive values.
    init(_ pointer: UnsafePointer<Element>)
    /// Loads pointer[0], pointer[-1], ... pointer[-(width - 1)].
    init(reversed pointer: UnsafePointer<Element>)
    func store(_ pointer: UnsafeMutablePointer<Element>)
    /// Stores lane j of a, b, c, d at pointer[4j], [4j + 1], [4j + 2], [4j + 3].
    static func storeTransposed(_ a: Self, _ b: Self, _ c: Self, _ d: Self, to pointer: UnsafeMutablePointer<Element>)
    /// Splits `width` interleaved complex values (re, im, re, im, ...) into `split` at `index`.
    static func deinterleave(_ source: UnsafePointer<Element>, into split: Split<Element>, _ index: Int)
    /// The reverse of `deinterleave`.
    static func interleave(_ split: Split<Element>, _ index: Int, into target: UnsafeMutablePointer<Element>)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
}

struct ScalarLane<Element: FFTScalar>: FFTLane {
    var value: Element
    static var width: Int { 1 }
    init(repeating value: Element) { self.value = value }
    init(_ pointer: UnsafePointer<Element>) { value = pointer.pointee }
    init(reversed pointer: UnsafePointer<Element>) { value = pointer.pointee }
    func store(_ pointer: UnsafeMutablePointer<Element>) { pointer.pointee = value }
    static func storeTransposed(_ a: Self, _ b: Self, _ c: Self, _ d: Self, to pointer: UnsafeMutablePointer<Element>) {
        pointer[0] = a.value; pointer[1] = b.value; pointer[2] = c.value; pointer[3] = d.value
    }
    static func deinterleave(_ source: UnsafePointer<Element>, into split: Split<Element>, _ index: Int) {
        split.re[index] = source[0]; split.im[index] = source[1]
    }
    static func interleave(_ split: Split<Element>, _ index: Int, into target: UnsafeMutablePointer<Element>) {
        target[0] = split.re[index]; target[1] = split.im[index]
    }
    static func + (lhs: Self, rhs: Self) -> Self { Self(repeating: lhs.value + rhs.value) }
    static func - (lhs: Self, rhs: Self) -> Self { Self(repeating: lhs.value - rhs.value) }
    static func * (lhs: Self, rhs: Self) -> Self { Self(repeating: lhs.value * rhs.value) }
}

extension SIMD4: FFTLane where Scalar: FFTScalar {
    typealias Element = Scalar
    static var width: Int { 4 }

    @inline(__always)
    init(_ pointer: UnsafePointer<Scalar>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    @inline(__always)
    init(reversed pointer: UnsafePointer<Scalar>) {
        let v = UnsafeRawPointer(pointer - 3).loadUnaligned(as: Self.self)
        self.init(v[3], v[2], v[1], v[0])
    }

    @inline(__always)
    func store(_ pointer: UnsafeMutablePointer<Scalar>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }

    @inline(__always)
    static func storeTransposed(_ a: Self, _ b: Self, _ c: Self, _ d: Self,
                                            to pointer: UnsafeMutablePointer<Scalar>) {
        for j in 0..<4 {
            pointer[4 &* j] = a[j]; pointer[4 &* j &+ 1] = b[j]; pointer[4 &* j &+ 2] = c[j]; pointer[4 &* j &+ 3] = d[j]
        }
    }

    @inline(__always)
    static func deinterleave(_ source: UnsafePointer<Scalar>, into split: Split<Scalar>, _ index: Int) {
        let v = UnsafeRawPointer(source).loadUnaligned(as: SIMD8<Scalar>.self)
        v.evenHalf.store(split.re + index)
        v.oddHalf.store(split.im + index)
    }

    @inline(__always)
    static func interleave(_ split: Split<Scalar>, _ index: Int, into target: UnsafeMutablePointer<Scalar>) {
        let r = Self(split.re + index), i = Self(split.im + index)
        Self(r[0], i[0], r[1], i[1]).store(target)
        Self(r[2], i[2], r[3], i[3]).store(target + 4)
    }
}

extension SIMD8: FFTLane where Scalar: FFTScalar {
    typealias Element = Scalar
    static var width: Int { 8 }

    @inline(__always)
    init(_ pointer: UnsafePointer<Scalar>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    @inline(__always)
    init(reversed pointer: UnsafePointer<Scalar>) {
        let v = UnsafeRawPointer(pointer - 7).loadUnaligned(as: Self.self)
        self.init(v[7], v[6], v[5], v[4], v[3], v[2], v[1], v[0])
    }

    @inline(__always)
    func store(_ pointer: UnsafeMutablePointer<Scalar>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }

    @inline(__always)
    static func storeTransposed(_ a: Self, _ b: Self, _ c: Self, _ d: Self,
                                            to pointer: UnsafeMutablePointer<Scalar>) {
        SIMD4.storeTransposed(a.lowHalf, b.lowHalf, c.lowHalf, d.lowHalf, to: pointer)
        SIMD4.storeTransposed(a.highHalf, b.highHalf, c.highHalf, d.highHalf, to: pointer + 16)
    }

    @inline(__always)
    static func deinterleave(_ source: UnsafePointer<Scalar>, into split: Split<Scalar>, _ index: Int) {
        let v = UnsafeRawPointer(source).loadUnaligned(as: SIMD16<Scalar>.self)
        v.evenHalf.store(split.re + index)
        v.oddHalf.store(split.im + index)
    }

    @inline(__always)
    static func interleave(_ split: Split<Scalar>, _ index: Int, into target: UnsafeMutablePointer<Scalar>) {
        SIMD4<Scalar>.interleave(split, index, into: target)
        SIMD4<Scalar>.interleave(split, index + 4, into: target + 8)
    }
}

extension SIMD2: FFTLane where Scalar: FFTScalar {
    typealias Element = Scalar
    static var width: Int { 2 }

    @inline(__always)
    init(_ pointer: UnsafePointer<Scalar>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
    }

    @inline(__always)
    init(reversed pointer: UnsafePointer<Scalar>) {
        let v = UnsafeRawPointer(pointer - 1).loadUnaligned(as: Self.self)
        self.init(v[1], v[0])
    }

    @inline(__always)
    func store(_ pointer: UnsafeMutablePointer<Scalar>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }

    @inline(__always)
    static func storeTransposed(_ a: Self, _ b: Self, _ c: Self, _ d: Self,
                                            to pointer: UnsafeMutablePointer<Scalar>) {
        Self(a[0], b[0]).store(pointer)
        Self(c[0], d[0]).store(pointer + 2)
        Self(a[1], b[1]).store(pointer + 4)
        Self(c[1], d[1]).store(pointer + 6)
    }

    @inline(__always)
    static func deinterleave(_ source: UnsafePointer<Scalar>, into split: Split<Scalar>, _ index: Int) {
        let v = UnsafeRawPointer(source).loadUnaligned(as: SIMD4<Scalar>.self)
        v.evenHalf.store(split.re + index)
        v.oddHalf.store(split.im + index)
    }

    @inline(__always)
    static func interleave(_ split: Split<Scalar>, _ index: Int, into target: UnsafeMutablePointer<Scalar>) {
        let r = Self(split.re + index), i = Self(split.im + index)
        Self(r[0], i[0]).store(target)
        Self(r[1], i[1]).store(target + 2)
    }
}

struct LaneComplex<L: FFTLane> {
    var re: L, im: L

    @inline(__always)
    init(re: L, im: L) { self.re = re; self.im = im }

    @inline(__always)
    init(_ split: Split<L.Element>, _ index: Int) { re = L(split.re + index); im = L(split.im + index) }

    @inline(__always)
    func store(_ split: Split<L.Element>, _ index: Int) { re.store(split.re + index); im.store(split.im + index) }

    @inline(__always)
    static func + (a: Self, b: Self) -> Self { Self(re: a.re + b.re, im: a.im + b.im) }

    @inline(__always)
    static func - (a: Self, b: Self) -> Self { Self(re: a.re - b.re, im: a.im - b.im) }

    @inline(__always)
    static func * (a: Self, b: Self) -> Self {
        Self(re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re)
    }
}

/// The radix-4 butterfly before twiddling: (a + c) + (b + d), a - c - i(b - d), (a + c) - (b + d),
/// a - c + i(b - d); the caller multiplies the last three by w, w², w³.
@inline(__always)
func radix4Butterfly<L: FFTLane>(_ a: LaneComplex<L>, _ b: LaneComplex<L>, _ c: LaneComplex<L>, _ d: LaneComplex<L>)
    -> (LaneComplex<L>, LaneComplex<L>, LaneComplex<L>, LaneComplex<L>) {
    let apc = a + c, amc = a - c, bpd = b + d, bmd = b - d
    return (apc + bpd,
            LaneComplex(re: amc.re + bmd.im, im: amc.im - bmd.re),
            apc - bpd,
            LaneComplex(re: amc.re - bmd.im, im: amc.im + bmd.re))
}
