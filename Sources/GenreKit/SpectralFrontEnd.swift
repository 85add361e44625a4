import Foundation
import GenreNN

/// musicnn's timbral units (kernels 38 and 67 mels high, 7 frames wide) by a discrete Fourier
/// transform along the mel rows: a correlation along them is, frequency by frequency, a product with
/// the kernel's transform, so each filter's rows x columns taps become one complex tap per column and
/// frequency, and one inverse transform that all filters share gives the rows back: 2.6x fewer
/// multiply-adds than the direct products of FrontEndProducts.swift for musicnn's two units. The
/// transform is as long as the input is high: the correlation's valid rows never reach round its end,
/// so the circular correlation is the linear one.
extension NormalisedUnit {
    /// As `maxOverRows(_:)` (the same convolutions), through the transform along the rows.
    func spectralMaxOverRows(_ input: Tensor) throws -> Tensor {
        let kernel = weighted.weight.value.shape
        precondition(kernel.count == 4 && kernel[1] == 1 && input.shape.count == 4 && input.shape[1] == 1,
                     "spectralMaxOverRows takes convolutions of one input channel, not \(kernel) on \(input.shape)")
        let (filters, kernelColumns) = (kernel[0], kernel[3])
        let (batch, width) = (input.shape[0], input.shape[3])
        let spectral = transformedKernel(height: input.shape[2])
        let (rows, spectra, taps) = (spectral.rows, 2 * spectral.frequencies, 2 * kernelColumns)
        let stacks = try spectral.columnStacks(input, paddedBefore: (kernelColumns - 1) / 2)
        let span = width * batch
        let groups = (filters + SpectralKernel.groupFilters - 1) / SpectralKernel.groupFilters
        let chunks = (width + Self.chunkColumns - 1) / Self.chunkColumns
        let most = SpectralKernel.groupFilters * Self.chunkColumns * batch
        return try spectral.products.withUnsafeBufferPointer { products in
            try maxima(batch: batch, width: width, stacks: stacks, pieces: groups * chunks) { units, stacks, maxima, after in
                // Per unit: its spectra [spectra][members][columns x N] and rows [rows][members][columns x N].
                var spectrum = [Float](repeating: 0, count: spectra * most)
                var outputs = [Float](repeating: 0, count: rows * most)
                var extremes = [Float](repeating: 0, count: 2 * most)
                for unit in units {
                    let (chunk, group) = unit.quotientAndRemainder(dividingBy: groups)
                    let first = group * SpectralKernel.groupFilters
                    let members = min(filters, first + SpectralKernel.groupFilters) - first
                    let columns = chunk * Self.chunkColumns ..< min(width, (chunk + 1) * Self.chunkColumns)
                    let along = columns.count * batch, plane = members * along
                    try spectrum.withUnsafeMutableBufferPointer { spectrum in
                        for frequency in 0 ..< spectral.frequencies {
                            try MatrixProduct.multiply(
                                m: 2 * members, n: along, k: taps,
                                a: products.baseAddress! + (first * spectral.frequencies + frequency * members) * 2 * taps, lda: taps,
                                b: stacks + frequency * taps * span + columns.lowerBound * batch, ldb: span,
                                c: spectrum.baseAddress! + frequency * 2 * plane, ldc: along)
                        }
                        try outputs.withUnsafeMutableBufferPointer { outputs in
                            try MatrixProduct.multiply(m: rows, n: plane, k: spectra, a: spectral.inverse, lda: spectra,
                                                       b: spectrum.baseAddress!, ldb: plane, c: outputs.baseAddress!, ldc: plane)
                            extremes.withUnsafeMutableBufferPointer { extremes in
                                extremesOverRows(outputs.baseAddress!, rows: rows, count: plane,
                                                 maxima: extremes.baseAddress!, minima: extremes.baseAddress! + plane)
                            }
                        }
                    }
                    // max(y + bias, 0) · scale + shift rises with y when scale ≥ 0 and falls otherwise.
                    for member in 0 ..< members {
                        let f = first + member
                        let (bias, scale, shift) = (after.bias[f], after.scale[f], after.shift[f])
                        let extreme = scale < 0 ? plane + member * along : member * along
                        for (index, column) in columns.enumerated() {
                            for n in 0 ..< batch {
                                let y = extremes[extreme + index * batch + n]
                                maxima[(n * filters + f) * width + column] = max(y + bias, 0) * scale + shift
                            }
                        }
                    }
                }
            }
        }
    }

    /// Output columns per unit of work: with a group of filters, its spectra (2.1 MB for 10 patches)
    /// stay in the shared cache, and its products are large enough for sgemm's call to cost little.
    private static let chunkColumns = 8

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
/// rows high, with the real transform along those rows and its inverse to the correlation's rows.
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
    /// The correlation's valid rows, height - kernelRows + 1.
    let rows: Int
    /// [2 frequencies, height]: the transform of a column of the input.
    let forward: [Float]
    /// [rows, 2 frequencies]: from the spectrum to the valid rows (the real inverse transform).
    let inverse: [Float]
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
        rows = height - kernelRows + 1
        // e^(-2πi k m / height) as (cos, -sin): it depends on k m modulo height only.
        let turn = 2 * Double.pi / Double(height)
        let waves = (0 ..< height).map { (real: cos(turn * Double($0)), imaginary: -sin(turn * Double($0))) }
        func wave(_ frequency: Int, _ row: Int) -> (real: Double, imaginary: Double) { waves[frequency * row % height] }
        let (frequencies, rows) = (frequencies, rows)
        forward = (0 ..< 2 * frequencies * height).map { index in
            let (spectrum, row) = index.quotientAndRemainder(dividingBy: height)
            let (real, imaginary) = wave(spectrum / 2, row)
            return Float(spectrum % 2 == 0 ? real : imaginary)
        }
        // y(r) = (1/height) Σ over all frequencies of Y(k) e^(2πi k r / height); frequencies above
        // height / 2 are the conjugates of those below, so those strictly between 0 and height / 2 count twice.
        inverse = (0 ..< rows * 2 * frequencies).map { index in
            let (row, spectrum) = index.quotientAndRemainder(dividingBy: 2 * frequencies)
            let frequency = spectrum / 2
            let weight = (frequency == 0 || 2 * frequency == height ? 1 : 2) / Double(height)
            let (real, imaginary) = wave(frequency, row)
            // Re(Y e^(iθ)) = Re Y cos θ - Im Y sin θ, and imaginary = -sin θ.
            return Float(weight * (spectrum % 2 == 0 ? real : imaginary))
        }
        // The correlation Σ_i w(i) x(r + i) has the spectrum X(k) · conj(W(k)) = (a + ib)(c - id) for
        // X = a + ib, W = c + id: real part ac + bd, imaginary part bc - ad.
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
                        let (realOut, imaginaryOut) = (block + member * taps, block + (members + member) * taps)
                        products[realOut + column] = Float(c)
                        products[realOut + kernelColumns + column] = Float(d)
                        products[imaginaryOut + column] = Float(-d)
                        products[imaginaryOut + kernelColumns + column] = Float(c)
                    }
                }
            }
        }
        self.products = products
    }

    /// The input's spectra seen by each column of the kernel: [frequencies][2 kernelColumns][width][N],
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
                let start = (spectrum * kernelColumns + column) * width * batch
                for c in max(0, paddedBefore - column) ..< min(width, width + paddedBefore - column) {
                    for n in 0 ..< batch {
                        stacks[start + c * batch + n] = transformed[(n * spectra + spectrum) * width + c + column - paddedBefore]
                    }
                }
            }
        }
        return stacks
    }
}

/// The maximum and minimum over `rows` rows of `count` values each, `count` apart.
private func extremesOverRows(_ values: UnsafePointer<Float>, rows: Int, count: Int,
                              maxima: UnsafeMutablePointer<Float>, minima: UnsafeMutablePointer<Float>) {
    typealias Lanes = SIMD8<Float>
    let lanes = count / Lanes.scalarCount * Lanes.scalarCount
    for start in stride(from: 0, to: lanes, by: Lanes.scalarCount) {
        var (largest, smallest) = (Lanes(repeating: -.infinity), Lanes(repeating: .infinity))
        for row in 0 ..< rows {
            let x = UnsafeRawPointer(values + row * count + start).loadUnaligned(as: Lanes.self)
            largest.replace(with: x, where: x .> largest)
            smallest.replace(with: x, where: x .< smallest)
        }
        UnsafeMutableRawPointer(maxima + start).storeBytes(of: largest, as: Lanes.self)
        UnsafeMutableRawPointer(minima + start).storeBytes(of: smallest, as: Lanes.self)
    }
    for index in lanes ..< count {
        let column = (0 ..< rows).map { values[$0 * count + index] }
        (maxima[index], minima[index]) = (column.max()!, column.min()!)
    }
}
