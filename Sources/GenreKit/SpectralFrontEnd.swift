import Foundation
import GenreNN

/// musicnn's timbral units (kernels 38 and 67 mels high, 7 frames wide) by a discrete Fourier
/// transform along the mel rows: a correlation along them is, frequency by frequency, a product with
/// the kernel's transform, so each filter's rows x columns taps become one complex tap per column and
/// frequency, and one inverse transform that all filters share gives the rows back: 4x fewer
/// multiply-adds than the direct products of FrontEndProducts.swift for musicnn's two units. The
/// transform is as long as the input is high: the correlation's valid rows never reach round its end,
/// so the circular correlation is the linear one. The rows are shifted to lie around row 0, so that
/// rows t and -t share the inverse's cosine and sine sums (y(±t) = even(t) ± odd(t)): half the
/// multiply-adds of the inverse.
extension NormalisedUnit {
    /// As `maxOverRows(_:)` (the same convolutions), through the transform along the rows.
    func spectralMaxOverRows(_ input: Tensor) throws -> Tensor {
        let kernel = weighted.weight.value.shape
        precondition(kernel.count == 4 && kernel[1] == 1 && input.shape.count == 4 && input.shape[1] == 1,
                     "spectralMaxOverRows takes convolutions of one input channel, not \(kernel) on \(input.shape)")
        let (filters, kernelColumns) = (kernel[0], kernel[3])
        let (batch, width) = (input.shape[0], input.shape[3])
        let spectral = transformedKernel(height: input.shape[2])
        let (frequencies, halves, taps) = (spectral.frequencies, spectral.halves, 2 * kernelColumns)
        let stacks = try spectral.columnStacks(input, paddedBefore: (kernelColumns - 1) / 2)
        let span = width * batch
        let groups = (filters + SpectralKernel.groupFilters - 1) / SpectralKernel.groupFilters
        let chunks = (width + Self.chunkColumns - 1) / Self.chunkColumns
        // Rows of the inverse padded to whole vectors for `extremesOverRows`.
        let most = (SpectralKernel.groupFilters * Self.chunkColumns + 7) / 8 * 8
        return try spectral.products.withUnsafeBufferPointer { products in
            try maxima(batch: batch, width: width, stacks: stacks, pieces: batch * chunks * groups) { units, stacks, maxima, after in
                // Per unit (one patch's columns): its spectra [frequencies][2][members][columns] and the
                // inverse's even then odd parts, each [halves][members][columns].
                var spectrum = [Float](repeating: 0, count: 2 * frequencies * most)
                var outputs = [Float](repeating: 0, count: 2 * halves * most)
                var extremes = [Float](repeating: 0, count: 2 * most)
                for unit in units {
                    let (patchChunk, group) = unit.quotientAndRemainder(dividingBy: groups)
                    let (patch, chunk) = patchChunk.quotientAndRemainder(dividingBy: chunks)
                    let first = group * SpectralKernel.groupFilters
                    let members = min(filters, first + SpectralKernel.groupFilters) - first
                    let columns = chunk * Self.chunkColumns ..< min(width, (chunk + 1) * Self.chunkColumns)
                    let along = columns.count, plane = members * along, padded = (plane + 7) / 8 * 8
                    try spectrum.withUnsafeMutableBufferPointer { spectrum in
                        for frequency in 0 ..< frequencies {
                            try MatrixProduct.multiply(
                                m: 2 * members, n: along, k: taps,
                                a: products.baseAddress! + (first * frequencies + frequency * members) * 2 * taps, lda: taps,
                                b: stacks + frequency * taps * span + patch * width + columns.lowerBound, ldb: span,
                                c: spectrum.baseAddress! + frequency * 2 * plane, ldc: along)
                        }
                        try outputs.withUnsafeMutableBufferPointer { outputs in
                            // The real parts of the spectra are rows 2 plane apart, the imaginary ones too.
                            for (part, waves) in [spectral.cosines, spectral.sines].enumerated() {
                                try MatrixProduct.multiply(m: halves, n: plane, k: frequencies, a: waves, lda: frequencies,
                                                           b: spectrum.baseAddress! + part * plane, ldb: 2 * plane,
                                                           c: outputs.baseAddress! + part * halves * padded, ldc: padded)
                            }
                            extremes.withUnsafeMutableBufferPointer { extremes in
                                extremesOverRows(even: outputs.baseAddress!, odd: outputs.baseAddress! + halves * padded,
                                                 halves: halves, behind: spectral.shift, count: padded,
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
/// rows high, with the real transform along those rows and its inverse to the correlation's rows
/// (shifted up by `shift`, so that they lie around row 0).
/// Spectra hold frequencies 0 ... height / 2 as pairs (real part, imaginary part).
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
    /// [halves, frequencies] each: the inverse transform's even part of row t from the real parts of
    /// the spectrum and its odd part from the imaginary ones.
    let cosines: [Float]
    let sines: [Float]
    /// Per group of filters then frequency, [2 members, 2 kernelColumns]: the members' spectra (real
    /// parts, then imaginary parts) from the input's spectra at the kernel's columns (real parts for
    /// columns 0 ..< kernelColumns, then imaginary ones).
    let products: [Float]

    init(weights: [Float], shape: [Int], height: Int) {
        let (filters, kernelRows, kernelColumns) = (shape[0], shape[2], shape[3])
        self.weights = weights
        self.height = height
        self.kernelColumns = kernelColumns
        frequencies = height / 2 + 1
        let rows = height - kernelRows + 1
        shift = (rows - 1) / 2
        halves = rows - shift
        // e^(-2πi k m / height) as (cos, -sin): it depends on k m modulo height only.
        let turn = 2 * Double.pi / Double(height)
        let waves = (0 ..< height).map { (real: cos(turn * Double($0)), imaginary: -sin(turn * Double($0))) }
        func wave(_ frequency: Int, _ row: Int) -> (real: Double, imaginary: Double) { waves[frequency * row % height] }
        let (frequencies, halves, shift) = (frequencies, halves, shift)
        forward = (0 ..< 2 * frequencies * height).map { index in
            let (spectrum, row) = index.quotientAndRemainder(dividingBy: height)
            let (real, imaginary) = wave(spectrum / 2, row)
            return Float(spectrum % 2 == 0 ? real : imaginary)
        }
        // y(t) = (1/height) Σ over all frequencies of Y(k) e^(2πi k t / height); frequencies above
        // height / 2 are the conjugates of those below, so those strictly between 0 and height / 2 count
        // twice: y(±t) = Σ weight(k) (Re Y(k) cos θ ∓ Im Y(k) sin θ), and imaginary = -sin θ.
        func inverse(_ part: KeyPath<(real: Double, imaginary: Double), Double>) -> [Float] {
            (0 ..< halves * frequencies).map { index in
                let (row, frequency) = index.quotientAndRemainder(dividingBy: frequencies)
                let weight = (frequency == 0 || 2 * frequency == height ? 1 : 2) / Double(height)
                return Float(weight * wave(frequency, row)[keyPath: part])
            }
        }
        cosines = inverse(\.real)
        sines = inverse(\.imaginary)
        // The correlation Σ_i w(i) x(r + i), shifted, has the spectrum X(k) · V(k) for X = a + ib and
        // V = conj(W(k)) e^(iφ) = p + iq, W = c + id, φ = 2π k shift / height: real part ap - bq,
        // imaginary part aq + bp.
        var products = [Float](repeating: 0, count: filters * frequencies * 4 * kernelColumns)
        let taps = 2 * kernelColumns
        for first in stride(from: 0, to: filters, by: Self.groupFilters) {
            let members = min(filters, first + Self.groupFilters) - first
            for frequency in 0 ..< frequencies {
                let block = (first * frequencies + frequency * members) * 2 * taps
                for member in 0 ..< members {
                    for column in 0 ..< kernelColumns {
                        var (c, d) = (0.0, 0.0)
                        for row in 0 ..< kernelRows {
                            let w = Double(weights[((first + member) * kernelRows + row) * kernelColumns + column])
                            let (real, imaginary) = wave(frequency, row)
                            (c, d) = (c + w * real, d + w * imaginary)
                        }
                        let (cosφ, sinφ) = (wave(frequency, shift).real, -wave(frequency, shift).imaginary)
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

/// The maximum and minimum over the rows y(t) = even(t) + odd(t) for t in 0 ..< halves and
/// y(-t) = even(t) - odd(t) for t in 1 ... behind, of `count` values each (a whole number of vectors),
/// rows `count` apart.
private func extremesOverRows(even: UnsafePointer<Float>, odd: UnsafePointer<Float>, halves: Int, behind: Int, count: Int,
                              maxima: UnsafeMutablePointer<Float>, minima: UnsafeMutablePointer<Float>) {
    typealias Lanes = SIMD8<Float>
    for start in stride(from: 0, to: count, by: Lanes.scalarCount) {
        var (largest, smallest) = (Lanes(repeating: -.infinity), Lanes(repeating: .infinity))
        func keep(_ x: Lanes) {
            largest.replace(with: x, where: x .> largest)
            smallest.replace(with: x, where: x .< smallest)
        }
        for t in 0 ..< halves {
            let e = UnsafeRawPointer(even + t * count + start).loadUnaligned(as: Lanes.self)
            let o = UnsafeRawPointer(odd + t * count + start).loadUnaligned(as: Lanes.self)
            keep(e + o)
            if t >= 1 && t <= behind { keep(e - o) }
        }
        UnsafeMutableRawPointer(maxima + start).storeBytes(of: largest, as: Lanes.self)
        UnsafeMutableRawPointer(minima + start).storeBytes(of: smallest, as: Lanes.self)
    }
}
