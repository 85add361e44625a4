import Foundation
import GenreSupport

/// musicnn's front-end units (Musicnn.swift) as matrix products, one output column at a time: oneDNN's
/// convolution of a single input channel keeps the whole [N, filters, rows, frames] output (90 MB for
/// the 38-mel timbral unit of 10 patches) and reorders it before the maximum over its rows can be
/// taken; here each column's products stay in the core's cache and are reduced at once.
extension NormalisedUnit {
    /// The unit's output for [N, 1, H, W] reduced to its maximum over all rows, [N, filters, W], for a
    /// convolution of one input channel that is unpadded along the rows and padded along the columns as
    /// TensorFlow's 'same' pads them (the odd one after), as musicnn's timbral and temporal convolutions are.
    public func maxOverRows(_ input: Tensor) throws -> Tensor {
        let kernel = weighted.weight.value.shape
        precondition(kernel.count == 4 && kernel[1] == 1 && input.shape.count == 4 && input.shape[1] == 1,
                     "maxOverRows takes convolutions of one input channel, not \(kernel) on \(input.shape)")
        let (filters, kernelRows, kernelColumns) = (kernel[0], kernel[2], kernel[3])
        let (batch, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        let rows = height - kernelRows + 1, before = (kernelColumns - 1) / 2
        // Each column's product is [filters, kernel] · [kernel, N x rows], the kernel's taps ordered
        // column by column (j, i) so that the input side is one block of `stacks`.
        let taps = kernelRows * kernelColumns, span = batch * rows
        let weights = weighted.weight.value.scalars
        let columnMajorWeights = (0 ..< filters * taps).map { index in
            let (f, tap) = index.quotientAndRemainder(dividingBy: taps)
            let (j, i) = tap.quotientAndRemainder(dividingBy: kernelRows)
            return weights[(f * kernelRows + i) * kernelColumns + j]
        }
        let stacks = Self.columnStacks(input, kernelRows: kernelRows, paddedBefore: before,
                                       paddedWidth: width + kernelColumns - 1)
        return try maxima(batch: batch, width: width, stacks: stacks, pieces: width) { columns, stacks, maxima, after in
            var products = [Float](repeating: 0, count: filters * span)
            try products.withUnsafeMutableBufferPointer { products in
                let products = products.baseAddress!
                for column in columns {
                    try MatrixProduct.multiply(m: filters, n: span, k: taps, a: columnMajorWeights, lda: taps,
                                               b: stacks + column * kernelRows * span, ldb: span, c: products, ldc: span)
                    for f in 0 ..< filters {
                        for n in 0 ..< batch {
                            maxima[(n * filters + f) * width + column] = rectifiedNormalisedMaximum(
                                products + f * span + n * rows, count: rows, bias: after.bias[f], scale: after.scale[f],
                                shift: after.shift[f])
                        }
                    }
                }
            }
        }
    }

    /// The unit's maxima over rows [N, filters, width], written by `fill` for ranges that split
    /// 0 ..< pieces, spread over the cores, from `stacks` (the input as `fill` reads it) and with what
    /// follows the convolution.
    func maxima(batch: Int, width: Int, stacks: [Float], pieces: Int,
                _ fill: (Range<Int>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, AfterConvolution) throws -> Void)
        throws -> Tensor {
        let filters = weighted.weight.value.shape[0]
        let (scale, shift) = norm.inferenceAffine
        let after = AfterConvolution(bias: weighted.bias.value.scalars, scale: scale, shift: shift)
        var maxima = [Float](repeating: 0, count: batch * filters * width)
        try maxima.withUnsafeMutableBufferPointer { maxima in
            let maxima = maxima.baseAddress!
            try stacks.withUnsafeBufferPointer { stacks in
                try concurrently(pieces) { try fill($0, stacks.baseAddress!, maxima, after) }
            }
        }
        return Tensor(shape: [batch, filters, width], scalars: maxima)
    }

    /// The input's rows seen by each column of a `kernelRows` high kernel, for all columns of the
    /// padded input at once: [paddedWidth][kernelRows][N][rows], where entry (c, i, n, r) is input
    /// (n, r + i, c - paddedBefore), zero in the padding. The kernel taps of output column c are the
    /// block from column c on, one row of it per tap (j, i).
    private static func columnStacks(_ input: Tensor, kernelRows: Int, paddedBefore: Int, paddedWidth: Int) -> [Float] {
        let (batch, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        let rows = height - kernelRows + 1, span = batch * rows
        var stacks = [Float](repeating: 0, count: paddedWidth * kernelRows * span)
        var column = [Float](repeating: 0, count: height)
        for n in 0 ..< batch {
            for c in 0 ..< width {
                for m in 0 ..< height { column[m] = input.scalars[(n * height + m) * width + c] }
                for i in 0 ..< kernelRows {
                    let start = ((c + paddedBefore) * kernelRows + i) * span + n * rows
                    stacks.replaceSubrange(start ..< start + rows, with: column[i ..< i + rows])
                }
            }
        }
        return stacks
    }
}

/// A unit's convolution bias per filter and its batch norm as y = scale x + shift, which follow the
/// convolution (after a ReLU).
struct AfterConvolution {
    let bias: [Float]
    let scale: [Float]
    let shift: [Float]
}

/// max over `count` values x of max(x + bias, 0) · scale + shift: the convolution's bias, the ReLU and
/// the batch norm of one filter, then the maximum over its rows.
private func rectifiedNormalisedMaximum(_ values: UnsafePointer<Float>, count: Int, bias: Float, scale: Float,
                                        shift: Float) -> Float {
    typealias Lanes = SIMD8<Float>
    let lanes = count / Lanes.scalarCount * Lanes.scalarCount
    var maxima = Lanes(repeating: -.infinity)
    // (The standard library's pointwiseMax is not inlined here and costs several times more.)
    for start in stride(from: 0, to: lanes, by: Lanes.scalarCount) {
        var x = UnsafeRawPointer(values + start).loadUnaligned(as: Lanes.self) + bias
        x.replace(with: 0, where: x .< 0)
        x = x * scale + shift
        maxima.replace(with: x, where: x .> maxima)
    }
    var maximum = maxima.max()
    for index in lanes ..< count { maximum = max(maximum, max(values[index] + bias, 0) * scale + shift) }
    return maximum
}
