import GenreSupport

/// A unit whose 3 x 3 convolution ('same') has one input channel, as the first of musicnn's VGG has,
/// computed with its max pooling row by row: only the rows the pooling windows cover are computed,
/// and no [N, filters, H, W] map is kept (oneDNN's is 92 MB for 10 patches of VGG's first unit).
extension NormalisedUnit {
    /// The unit's output for [N, 1, H, W] max-pooled over unpadded windows of `window` values,
    /// `stride` apart along both axes: [N, filters, (H - rows) / stride + 1, (W - columns) / stride + 1].
    public func singleChannelMaxPooled(_ input: Tensor, window: (rows: Int, columns: Int), stride: Int) throws -> Tensor {
        typealias Lanes = SIMD8<Float>
        let kernel = weighted.weight.value.shape
        precondition(kernel == [kernel[0], 1, 3, 3] && input.shape.count == 4 && input.shape[1] == 1,
                     "singleChannelMaxPooled takes 3 x 3 convolutions of one input channel, not \(kernel) on \(input.shape)")
        let (batch, height, width, filters) = (input.shape[0], input.shape[2], input.shape[3], kernel[0])
        let pooled = (rows: (height - window.rows) / stride + 1, columns: (width - window.columns) / stride + 1)
        // Each row of the convolution in whole vectors, and the padded input rows beyond them.
        let vectors = (width + Lanes.scalarCount - 1) / Lanes.scalarCount
        let paddedWidth = vectors * Lanes.scalarCount + 2
        var padded = [Float](repeating: 0, count: batch * (height + 2) * paddedWidth)
        for plane in 0 ..< batch {
            for row in 0 ..< height {
                let target = (plane * (height + 2) + row + 1) * paddedWidth + 1, source = (plane * height + row) * width
                padded.replaceSubrange(target ..< target + width, with: input.scalars[source ..< source + width])
            }
        }
        let weights = weighted.weight.value.scalars
        let (scale, shift) = norm.inferenceAffine
        let after = AfterConvolution(bias: weighted.bias.value.scalars, scale: scale, shift: shift)
        var output = [Float](repeating: 0, count: batch * filters * pooled.rows * pooled.columns)
        try output.withUnsafeMutableBufferPointer { output in
            let output = output.baseAddress!
            try padded.withUnsafeBufferPointer { padded in
                try concurrently(batch * filters) { planes in
                    // The windows' extremes over their rows, then over their columns from every column
                    // on (the row's last vector reads past it: never used).
                    var rows = [Float](repeating: 0, count: vectors * Lanes.scalarCount + window.columns)
                    var spans = [Float](repeating: 0, count: vectors * Lanes.scalarCount)
                    for plane in planes {
                        let (patch, filter) = plane.quotientAndRemainder(dividingBy: filters)
                        let taps = (0 ..< 9).map { Lanes(repeating: weights[filter * 9 + $0]) }
                        // max(y + bias, 0) · scale + shift rises with y when scale ≥ 0 and falls otherwise.
                        let rising = after.scale[filter] >= 0
                        let (bias, scale, shift) = (after.bias[filter], after.scale[filter], after.shift[filter])
                        let source = padded.baseAddress! + patch * (height + 2) * paddedWidth
                        let target = output + plane * pooled.rows * pooled.columns
                        func better(_ x: Lanes, than extreme: Lanes) -> Lanes {
                            extreme.replacing(with: x, where: rising ? x .> extreme : x .< extreme)
                        }
                        rows.withUnsafeMutableBufferPointer { rows in
                            spans.withUnsafeMutableBufferPointer { spans in
                                let (rows, spans) = (rows.baseAddress!, spans.baseAddress!)
                                for pooledRow in 0 ..< pooled.rows {
                                    for vector in 0 ..< vectors {
                                        var extreme = Lanes()
                                        for row in pooledRow * stride ..< pooledRow * stride + window.rows {
                                            var y = Lanes()
                                            for i in 0 ..< 3 {
                                                let line = source + (row + i) * paddedWidth + vector * Lanes.scalarCount
                                                for j in 0 ..< 3 {
                                                    y = y.addingProduct(taps[i * 3 + j], UnsafeRawPointer(line + j).loadUnaligned(as: Lanes.self))
                                                }
                                            }
                                            extreme = row == pooledRow * stride ? y : better(y, than: extreme)
                                        }
                                        UnsafeMutableRawPointer(rows + vector * Lanes.scalarCount).storeBytes(of: extreme, as: Lanes.self)
                                    }
                                    for vector in 0 ..< vectors {
                                        let start = rows + vector * Lanes.scalarCount
                                        var extreme = UnsafeRawPointer(start).loadUnaligned(as: Lanes.self)
                                        for offset in 1 ..< window.columns {
                                            extreme = better(UnsafeRawPointer(start + offset).loadUnaligned(as: Lanes.self), than: extreme)
                                        }
                                        UnsafeMutableRawPointer(spans + vector * Lanes.scalarCount).storeBytes(of: extreme, as: Lanes.self)
                                    }
                                    // Every stride-th span is a window's.
                                    let line = target + pooledRow * pooled.columns
                                    for first in Swift.stride(from: 0, to: pooled.columns, by: Lanes.scalarCount) {
                                        var x = Lanes()
                                        for lane in 0 ..< Lanes.scalarCount { x[lane] = spans[min(first + lane, pooled.columns - 1) * stride] }
                                        x += bias
                                        x.replace(with: 0, where: x .< 0)
                                        x = x * scale + shift
                                        for lane in 0 ..< min(Lanes.scalarCount, pooled.columns - first) { line[first + lane] = x[lane] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch, filters, pooled.rows, pooled.columns], scalars: output)
    }
}
