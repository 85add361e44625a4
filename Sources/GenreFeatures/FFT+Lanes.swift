/// Several real transforms at once, one per SIMD lane: the STFT's frames in groups of `L.width`.
///
/// The signals are interleaved: value j of signal l is at `j * L.width + l`, and so are the bins.
/// Every step is then the same arithmetic on whole lane vectors, with no shuffles between lanes,
/// and no pass is too short to fill the vectors (a single transform's later passes are).
extension RealFFT {
    /// The scratch size the interleaved transforms of `L.width` signals need.
    func interleavedScratchCount<L: FFTLane>(_: L.Type) -> Int where L.Element == Scalar {
        2 * Split<Scalar>.footprint(L.width * complex.count) + count + 2 * binCount
    }

    /// `forward` of `L.width` interleaved signals (`count` values each) into interleaved bins.
    @inline(__always)
    func forward<L: FFTLane>(interleaved signal: UnsafePointer<Scalar>, _: L.Type, real: UnsafeMutablePointer<Scalar>,
                             imaginary: UnsafeMutablePointer<Scalar>, scratch: FFTScratch<Scalar>)
    where L.Element == Scalar {
        precondition(scratch.count >= interleavedScratchCount(L.self), "the scratch is too small")
        guard case .powerOfTwo(let plan) = complex, count % 2 == 0 else {
            return laneByLane(L.self, scratch) { lane, signalLane, realLane, imaginaryLane, laneScratch in
                gather(signal + lane, count, into: signalLane, L.width)
                forward(signalLane, real: realLane, imaginary: imaginaryLane, scratch: laneScratch)
                scatter(realLane, binCount, into: real + lane, L.width)
                scatter(imaginaryLane, binCount, into: imaginary + lane, L.width)
            }
        }
        let m = complex.count, width = L.width
        let z = Split(carving: scratch.base, count: m * width)
        let work = Split(carving: scratch.base + Split<Scalar>.footprint(m * width), count: m * width)
        // z[l] = x[2l] + i x[2l + 1], lane by lane.
        for l in 0 ..< m {
            L(signal + 2 * l * width).store(z.re + l * width)
            L(signal + (2 * l + 1) * width).store(z.im + l * width)
        }
        let spectrum = plan.transform(interleaved: z, work: work, L.self)
        // As `forwardEven`: X[k] = E[k] + W^k O[k] from Z[k] and Z[m - k].
        let w = twiddles.base, half = L(repeating: 0.5)
        let z0 = LaneComplex<L>(spectrum, 0)
        (z0.re + z0.im).store(real)
        (z0.re - z0.im).store(real + m * width)
        L(repeating: 0).store(imaginary)
        L(repeating: 0).store(imaginary + m * width)
        for k in 1 ..< max(m, 1) {
            let a = LaneComplex<L>(spectrum, k * width), c = LaneComplex<L>(spectrum, (m - k) * width)
            let er = half * (a.re + c.re), ei = half * (a.im - c.im)
            let or = half * (a.im + c.im), oi = half * (c.re - a.re)
            let wr = L(repeating: w[k]), wi = L(repeating: w[m + k])
            (er + wr * or - wi * oi).store(real + k * width)
            (ei + wr * oi + wi * or).store(imaginary + k * width)
        }
    }

    /// `inverse` of `L.width` interleaved spectra (`binCount` bins each) into interleaved signals.
    @inline(__always)
    func inverse<L: FFTLane>(interleaved real: UnsafePointer<Scalar>, _ imaginary: UnsafePointer<Scalar>, _: L.Type,
                             signal: UnsafeMutablePointer<Scalar>, scratch: FFTScratch<Scalar>)
    where L.Element == Scalar {
        precondition(scratch.count >= interleavedScratchCount(L.self), "the scratch is too small")
        guard case .powerOfTwo(let plan) = complex, count % 2 == 0 else {
            return laneByLane(L.self, scratch) { lane, signalLane, realLane, imaginaryLane, laneScratch in
                gather(real + lane, binCount, into: realLane, L.width)
                gather(imaginary + lane, binCount, into: imaginaryLane, L.width)
                inverse(real: realLane, imaginary: imaginaryLane, signal: signalLane, scratch: laneScratch)
                scatter(signalLane, count, into: signal + lane, L.width)
            }
        }
        let m = complex.count, width = L.width
        let z = Split(carving: scratch.base, count: m * width)
        let work = Split(carving: scratch.base + Split<Scalar>.footprint(m * width), count: m * width)
        // As `inverseEven`: Z = E + iO, scaled by 1 / count.
        let w = twiddles.base, scale = L(repeating: 1 / Scalar(count))
        let x0 = L(real), xm = L(real + m * width)
        ((x0 + xm) * scale).store(z.re)
        ((x0 - xm) * scale).store(z.im)
        for k in 1 ..< max(m, 1) {
            let a = L(real + k * width), b = L(imaginary + k * width)
            let c = L(real + (m - k) * width), d = L(imaginary + (m - k) * width)
            let er = a + c, ei = b - d, dr = a - c, di = b + d
            let wr = L(repeating: w[k]), wi = L(repeating: w[m + k])
            let or = dr * wr + di * wi, oi = di * wr - dr * wi
            ((er - oi) * scale).store(z.re + k * width)
            ((ei + or) * scale).store(z.im + k * width)
        }
        let result = plan.transform(interleaved: z.swapped, work: work.swapped, L.self).swapped
        for l in 0 ..< m {
            L(result.re + l * width).store(signal + 2 * l * width)
            L(result.im + l * width).store(signal + (2 * l + 1) * width)
        }
    }

    /// Sizes without a lane-parallel plan (odd, or not a power of two) go one lane at a time: `body`
    /// gets the lane, buffers for one signal and its bins, and a scratch for the single transform.
    private func laneByLane<L: FFTLane>(
        _: L.Type, _ scratch: FFTScratch<Scalar>,
        _ body: (Int, UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>,
                 FFTScratch<Scalar>) -> Void
    ) {
        let laneScratch = makeScratch()
        let signal = scratch.base, real = signal + count, imaginary = real + binCount
        for lane in 0 ..< L.width { body(lane, signal, real, imaginary, laneScratch) }
    }
}

/// Copies `count` values `width` apart (one lane of interleaved values) out of `source`.
@inline(__always)
private func gather<Scalar>(_ source: UnsafePointer<Scalar>, _ count: Int, into target: UnsafeMutablePointer<Scalar>, _ width: Int) {
    for i in 0 ..< count { target[i] = source[i * width] }
}

/// Writes `count` values `width` apart (one lane of interleaved values) into `target`.
@inline(__always)
private func scatter<Scalar>(_ source: UnsafePointer<Scalar>, _ count: Int, into target: UnsafeMutablePointer<Scalar>, _ width: Int) {
    for i in 0 ..< count { target[i * width] = source[i] }
}

extension PowerOfTwoFFT {
    /// The transforms of `L.width` interleaved sequences; returns the buffer holding the result.
    @inline(__always)
    func transform<L: FFTLane>(interleaved data: Split<Scalar>, work: Split<Scalar>, _: L.Type) -> Split<Scalar>
    where L.Element == Scalar {
        var source = data, target = work
        for pass in passes {
            if pass.radix == 4 {
                radix4Pass(L.self, pass, source, target, twiddled: pass.length > 4, spread: L.width)
            } else {
                radix2Pass(L.self, pass, source, target, spread: L.width)
            }
            swap(&source, &target)
        }
        return source
    }
}
