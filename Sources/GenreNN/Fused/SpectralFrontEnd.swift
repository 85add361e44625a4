import Foundation
import GenreSupport

/// musicnn's timbral units (kernels 38 and 67 mels high, 7 frames wide) by a discrete Fourier
/// transform along the mel rows: a correlation along them is, frequency by frequency, a product with
/// the kernel's transform, so each filter's rows x columns taps become one complex tap per column and
/// frequency, and one inverse transform that all filters share gives the rows back. The transform is
/// at least as long as the input is high: the correlation's valid rows never reach round its end, so
/// the circular correlation is the linear one. Two symmetries halve the inverse's multiply-adds twice
/// (8x fewer than the direct products of FrontEndProducts.swift in all for musicnn's two units): the
/// rows are shifted to lie around row 0, so that rows t and -t share the inverse's cosine and sine
/// sums (y(±t) = even(t) ± odd(t)); and frequencies k and M - k (M the highest) have the same waves at
/// even rows and opposite ones at odd rows, so the spectrum is folded onto their sums and differences.
extension NormalisedUnit {
    /// As `maxOverRows(_:)` (the same convolutions), through the transform along the rows.
    public func spectralMaxOverRows(_ input: Tensor) throws -> Tensor {
        let kernel = weighted.weight.value.shape
        precondition(kernel.count == 4 && kernel[1] == 1 && input.shape.count == 4 && input.shape[1] == 1,
                     "spectralMaxOverRows takes convolutions of one input channel, not \(kernel) on \(input.shape)")
        let (filters, kernelColumns) = (kernel[0], kernel[3])
        let (batch, width) = (input.shape[0], input.shape[3])
        let spectral = transformedKernel(height: input.shape[2])
        let (frequencies, taps) = (spectral.frequencies, 2 * kernelColumns)
        let stacks = try spectral.columnStacks(input, paddedBefore: (kernelColumns - 1) / 2)
        let span = width * batch
        let groups = (filters + SpectralKernel.groupFilters - 1) / SpectralKernel.groupFilters
        let chunks = (width + Self.chunkColumns - 1) / Self.chunkColumns
        // Rows of the inverse padded to whole vectors for `extremesOverRows`.
        let most = (SpectralKernel.groupFilters * Self.chunkColumns + 7) / 8 * 8
        return try spectral.products.withUnsafeBufferPointer { products in
            try maxima(batch: batch, width: width, stacks: stacks, pieces: batch * chunks * groups) { units, stacks, maxima, after in
                // Per unit (one patch's columns): its spectra [frequencies][2][members][columns] and the
                // inverse's even then odd parts of each parity's rows, [rows][members][columns] each.
                var spectrum = [Float](repeating: 0, count: 2 * frequencies * most)
                var outputs = [Float](repeating: 0, count: 2 * spectral.inverse.map(\.rows).reduce(0, +) * most)
                var extremes = [Float](repeating: 0, count: 2 * most)
                for unit in units {
                    let (patchChunk, group) = unit.quotientAndRemainder(dividingBy: groups)
                    let (patch, chunk) = patchChunk.quotientAndRemainder(dividingBy: chunks)
                    let first = group * SpectralKernel.groupFilters
                    let members = min(filters, first + SpectralKernel.groupFilters) - first
                    let columns = chunk * Self.chunkColumns ..< min(width, (chunk + 1) * Self.chunkColumns)
                    let along = columns.count, plane = members * along, padded = (plane + 7) / 8 * 8
                    try spectrum.withUnsafeMutableBufferPointer { spectrum in
                        func spectrumAt(_ frequency: Int) throws -> UnsafeMutablePointer<Float> {
                            let target = spectrum.baseAddress! + frequency * 2 * plane
                            try MatrixProduct.multiply(
                                m: 2 * members, n: along, k: taps,
                                a: products.baseAddress! + (first * frequencies + frequency * members) * 2 * taps, lda: taps,
                                b: stacks + frequency * taps * span + patch * width + columns.lowerBound, ldb: span,
                                c: target, ldc: along)
                            return target
                        }
                        // Frequencies k and highest - k one after the other, folded while in the cache.
                        let highest = frequencies - 1
                        for low in 0 ... highest / 2 {
                            let lowSpectrum = try spectrumAt(low)
                            if highest - low != low { fold(lowSpectrum, try spectrumAt(highest - low), count: 2 * plane) }
                        }
                        try outputs.withUnsafeMutableBufferPointer { outputs in
                            var parts = outputs.baseAddress!
                            for rows in spectral.inverse {
                                // The real parts of the spectra are rows 2 plane apart, the imaginary ones too.
                                for (part, waves, bins) in [(0, rows.cosines, rows.cosineBins), (1, rows.sines, rows.sineBins)] {
                                    try MatrixProduct.multiply(
                                        m: rows.rows, n: plane, k: bins.count, a: waves, lda: bins.count,
                                        b: spectrum.baseAddress! + (2 * bins.lowerBound + part) * plane, ldb: 2 * plane,
                                        c: parts + part * rows.rows * padded, ldc: padded)
                                }
                                parts += 2 * rows.rows * padded
                            }
                            extremes.withUnsafeMutableBufferPointer { extremes in
                                extremesOverRows(outputs.baseAddress!, of: spectral, count: padded,
                                                 maxima: extremes.baseAddress!, minima: extremes.baseAddress! + padded)
                            }
                        }
                    }
                    // max(y + bias, 0) · scale + shift rises with y when scale ≥ 0 and falls otherwise.
                    for member in 0 ..< members {
                        let f = first + member
                        let (bias, scale, shift) = (after.bias[f], after.scale[f], after.shift[f])
                        let extreme = scale < 0 ? padded + member * along : member * along
                        for (index, column) in columns.enumerated() {
                            maxima[(patch * filters + f) * width + column] = max(extremes[extreme + index] + bias, 0) * scale + shift
                        }
                    }
                }
            }
        }
    }

    /// Output columns of one patch per unit of work: with a group of filters, its spectra (1.7 MB) stay
    /// in the shared cache, and its products are large enough for sgemm's call to cost little. Units
    /// never mix patches, so that a patch gives the same features alone as in a batch.
    private static let chunkColumns = 64

    /// The kernel's transform for inputs `height` rows high: the one kept unless the weights changed
    /// since (fine-tuning changes them) or the height did.
    private func transformedKernel(height: Int) -> SpectralKernel {
        let weights = weighted.weight.value.scalars
        if let kept = spectralKernel, kept.height == height, kept.weights == weights { return kept }
        let made = SpectralKernel(weights: weights, shape: weighted.weight.value.shape, height: height)
        spectralKernel = made
        return made
    }
}

/// A kernel [filters, 1, kernelRows, kernelColumns] transformed along its rows for inputs `height`
/// rows high, with the real transform along those rows (as long as the input is high, or one row
/// longer when that is odd) and its inverse to the correlation's rows (shifted up by `shift`, so that
/// they lie around row 0). Spectra hold frequencies 0 ... length / 2 as pairs (real part, imaginary part).
struct SpectralKernel {
    /// Filters per group whose spectra are computed together.
    static let groupFilters = 68

    /// The weights the transform was made from (a copy-on-write copy: a change to the parameter's
    /// value gives it storage of its own).
    let weights: [Float]
    let height: Int
    let kernelColumns: Int
    let frequencies: Int
    /// The correlation's valid rows r (height - kernelRows + 1 of them) are rows r - shift of the
    /// inverse transform: t in 0 ..< halves and -t for t in 1 ... shift.
    let shift: Int
    let halves: Int
    /// [2 frequencies, height]: the transform of a column of the input.
    let forward: [Float]
    /// The inverse transform from the folded spectrum (`fold`), for the even rows t ≥ 0, then the odd ones.
    let inverse: [FoldedInverse]
    /// Per group of filters then frequency, [2 members, 2 kernelColumns]: the members' spectra (real
    /// parts, then imaginary parts) from the input's spectra at the kernel's columns (real parts for
    /// columns 0 ..< kernelColumns, then imaginary ones).
    let products: [Float]

    init(weights: [Float], shape: [Int], height: Int) {
        let (filters, kernelRows, kernelColumns) = (shape[0], shape[2], shape[3])
        self.weights = weights
        self.height = height
        self.kernelColumns = kernelColumns
        // The folding needs an even length; a zero row after the input changes no valid row.
        let length = height + height % 2
        frequencies = length / 2 + 1
        let rows = height - kernelRows + 1
        shift = (rows - 1) / 2
        halves = rows - shift
        // e^(-2πi k m / length) as (cos, -sin): it depends on k m modulo length only.
        let turn = 2 * Double.pi / Double(length)
        let waves = (0 ..< length).map { (real: cos(turn * Double($0)), imaginary: -sin(turn * Double($0))) }
        func wave(_ frequency: Int, _ row: Int) -> (real: Double, imaginary: Double) { waves[frequency * row % length] }
        let (frequencies, halves, shift) = (frequencies, halves, shift)
        forward = (0 ..< 2 * frequencies * height).map { index in
            let (spectrum, row) = index.quotientAndRemainder(dividingBy: height)
            let (real, imaginary) = wave(spectrum / 2, row)
            return Float(spectrum % 2 == 0 ? real : imaginary)
        }
        inverse = (0 ... 1).map { parity in
            FoldedInverse(parity: parity, rows: (halves - parity + 1) / 2, highest: frequencies - 1) { frequency, row in
                // y(t) = (1/length) Σ over all frequencies of Y(k) e^(2πi k t / length); frequencies
                // above length / 2 are the conjugates of those below, so those strictly between 0 and
                // length / 2 count twice: y(±t) = Σ weight(k) (Re Y(k) cos θ ∓ Im Y(k) sin θ), and
                // imaginary = -sin θ.
                let weight = (frequency == 0 || frequency == frequencies - 1 ? 1 : 2) / Double(length)
                let (real, imaginary) = wave(frequency, row)
                return (Float(weight * real), Float(weight * imaginary))
            }
        }
        // The correlation Σ_i w(i) x(r + i), shifted, has the spectrum X(k) · V(k) for X = a + ib and
        // V = conj(W(k)) e^(iφ) = p + iq, W = c + id, φ = 2π k shift / length: real part ap - bq,
        // imaginary part aq + bp.
        var products = [Float](repeating: 0, count: filters * frequencies * 4 * kernelColumns)
        let taps = 2 * kernelColumns
        for first in stride(from: 0, to: filters, by: Self.groupFilters) {
            let members = min(filters, first + Self.groupFilters) - first
            for frequency in 0 ..< frequencies {
                let block = (first * frequencies + frequency * members) * 2 * taps
                let rowWaves = (0 ..< kernelRows).map { wave(frequency, $0) }
                let (cosφ, sinφ) = (wave(frequency, shift).real, -wave(frequency, shift).imaginary)
                for member in 0 ..< members {
                    for column in 0 ..< kernelColumns {
                        var (c, d) = (0.0, 0.0)
                        for (row, (real, imaginary)) in rowWaves.enumerated() {
                            let w = Double(weights[((first + member) * kernelRows + row) * kernelColumns + column])
                            (c, d) = (c + w * real, d + w * imaginary)
                        }
                        let (p, q) = (c * cosφ + d * sinφ, c * sinφ - d * cosφ)
                        let (realOut, imaginaryOut) = (block + member * taps, block + (members + member) * taps)
                        products[realOut + column] = Float(p)
                        products[realOut + kernelColumns + column] = Float(-q)
                        products[imaginaryOut + column] = Float(q)
                        products[imaginaryOut + kernelColumns + column] = Float(p)
                    }
                }
            }
        }
        self.products = products
    }

    /// The input's spectra seen by each column of the kernel: [frequencies][2 kernelColumns][N][width],
    /// where row (k, j) holds the real parts of frequency k at input column c + j - paddedBefore for
    /// output column c and row (k, kernelColumns + j) the imaginary ones, zero in the padding.
    func columnStacks(_ input: Tensor, paddedBefore: Int) throws -> [Float] {
        let (batch, width) = (input.shape[0], input.shape[3])
        let spectra = 2 * frequencies
        var transformed = [Float](repeating: 0, count: batch * spectra * width)
        try transformed.withUnsafeMutableBufferPointer { transformed in
            try input.scalars.withUnsafeBufferPointer { input in
                for n in 0 ..< batch {
                    try MatrixProduct.multiply(m: spectra, n: width, k: height, a: forward, lda: height,
                                               b: input.baseAddress! + n * height * width, ldb: width,
                                               c: transformed.baseAddress! + n * spectra * width, ldc: width)
                }
            }
        }
        var stacks = [Float](repeating: 0, count: spectra * kernelColumns * width * batch)
        for spectrum in 0 ..< spectra {
            for column in 0 ..< kernelColumns {
                // Output columns c whose input column c + column - paddedBefore lies in the input.
                let columns = max(0, paddedBefore - column) ..< min(width, width + paddedBefore - column)
                for n in 0 ..< batch {
                    let start = ((spectrum * kernelColumns + column) * batch + n) * width
                    let source = (n * spectra + spectrum) * width + column - paddedBefore
                    stacks.replaceSubrange(start + columns.lowerBound ..< start + columns.upperBound,
                                           with: transformed[source + columns.lowerBound ..< source + columns.upperBound])
                }
            }
        }
        return stacks
    }
}

/// The inverse transform to rows t = parity, parity + 2, ... (`rows` of them) from a folded spectrum.
/// With θ(k) = 2π k t / length and M = length / 2 the highest frequency, θ(M - k) = π t - θ(k): at even
/// rows frequencies k and M - k share cos θ and have opposite sin θ, at odd rows the other way round.
/// So the even parts of even rows need the sums of real parts and their odd parts the differences of
/// imaginary parts; odd rows need the differences of real parts and the sums of imaginary parts.
struct FoldedInverse {
    let parity: Int
    let rows: Int
    /// [rows, cosineBins.count]: weight(k) cos θ(k) for the folded frequencies the even parts read.
    let cosines: [Float]
    let cosineBins: Range<Int>
    /// [rows, sineBins.count]: weight(k) (-sin θ(k)) for those the odd parts read.
    let sines: [Float]
    let sineBins: Range<Int>

    /// `wave(k, t)` is (weight(k) cos θ(k), -weight(k) sin θ(k)) of the unfolded inverse.
    init(parity: Int, rows: Int, highest: Int, wave: (Int, Int) -> (cosine: Float, sine: Float)) {
        self.parity = parity
        self.rows = rows
        // `fold` leaves sums at 0 ... highest / 2 (a middle frequency paired with itself stays as it
        // is) and the differences of pair k at highest - k.
        let (sums, differences) = (0 ..< highest / 2 + 1, highest / 2 + 1 ..< highest + 1)
        (cosineBins, sineBins) = parity == 0 ? (sums, differences) : (differences, sums)
        // Pair k of folded row `bin`; a middle frequency's difference (zero: it is paired with itself)
        // never shows up, its wave being zero at those rows.
        func waves(_ bins: Range<Int>, _ part: KeyPath<(cosine: Float, sine: Float), Float>) -> [Float] {
            (0 ..< rows * bins.count).map { index in
                let (row, offset) = index.quotientAndRemainder(dividingBy: bins.count)
                let bin = bins.lowerBound + offset
                return wave(bin < sums.upperBound ? bin : highest - bin, parity + 2 * row)[keyPath: part]
            }
        }
        cosines = waves(cosineBins, \.cosine)
        sines = waves(sineBins, \.sine)
    }
}

/// Folds the spectra of frequencies k < highest - k ([count] each) in place for `FoldedInverse`: their
/// sum at k, their difference at highest - k.
private func fold(_ low: UnsafeMutablePointer<Float>, _ high: UnsafeMutablePointer<Float>, count: Int) {
    typealias Lanes = SIMD8<Float>
    var start = 0
    while start + Lanes.scalarCount <= count {
        let a = UnsafeRawPointer(low + start).loadUnaligned(as: Lanes.self)
        let b = UnsafeRawPointer(high + start).loadUnaligned(as: Lanes.self)
        UnsafeMutableRawPointer(low + start).storeBytes(of: a + b, as: Lanes.self)
        UnsafeMutableRawPointer(high + start).storeBytes(of: a - b, as: Lanes.self)
        start += Lanes.scalarCount
    }
    for index in start ..< count { (low[index], high[index]) = (low[index] + high[index], low[index] - high[index]) }
}

/// The maximum and minimum over the rows y(t) = even(t) + odd(t) for t in 0 ..< halves and
/// y(-t) = even(t) - odd(t) for t in 1 ... shift, of `count` values each (a whole number of vectors),
/// from `parts`: per `FoldedInverse` of the kernel, its rows' even parts then their odd parts, rows
/// `count` apart.
private func extremesOverRows(_ parts: UnsafePointer<Float>, of kernel: SpectralKernel, count: Int,
                              maxima: UnsafeMutablePointer<Float>, minima: UnsafeMutablePointer<Float>) {
    typealias Lanes = SIMD8<Float>
    maxima.update(repeating: -.infinity, count: count)
    minima.update(repeating: .infinity, count: count)
    // Row after row, so that every pass streams through memory.
    func keep(_ even: UnsafePointer<Float>, _ odd: UnsafePointer<Float>, sign: Float) {
        for start in stride(from: 0, to: count, by: Lanes.scalarCount) {
            let x = UnsafeRawPointer(even + start).loadUnaligned(as: Lanes.self)
                + sign * UnsafeRawPointer(odd + start).loadUnaligned(as: Lanes.self)
            var (largest, smallest) = (UnsafeRawPointer(maxima + start).loadUnaligned(as: Lanes.self),
                                       UnsafeRawPointer(minima + start).loadUnaligned(as: Lanes.self))
            largest.replace(with: x, where: x .> largest)
            smallest.replace(with: x, where: x .< smallest)
            UnsafeMutableRawPointer(maxima + start).storeBytes(of: largest, as: Lanes.self)
            UnsafeMutableRawPointer(minima + start).storeBytes(of: smallest, as: Lanes.self)
        }
    }
    var even = parts
    for rows in kernel.inverse {
        let odd = even + rows.rows * count
        for row in 0 ..< rows.rows {
            let t = rows.parity + 2 * row
            keep(even + row * count, odd + row * count, sign: 1)
            if t >= 1 && t <= kernel.shift { keep(even + row * count, odd + row * count, sign: -1) }
        }
        even += 2 * rows.rows * count
    }
}
