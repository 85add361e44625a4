import GenreSupport

/// 3 x 3 convolutions of stride 1 padded by 1 ('same'), as musicnn's VGG has them, by Winograd's
/// minimal filtering F(4 x 4, 3 x 3) (Lavin & Gray, 2016): each 4 x 4 block of outputs comes from the
/// 6 x 6 block of the input around it, transformed (Bᵀ d B), multiplied position by position with
/// the kernels' transforms (G g Gᵀ) and summed over the input channels, then transformed back
/// (Aᵀ m A). The 36 position-wise sums are 36 matrix products [filters, channels] x [channels, blocks]
/// on sgemm: 4x fewer multiply-adds than the direct convolution (oneDNN 2.6 has Winograd for
/// AVX-512 only). In single precision its outputs stay within 1e-6 of the direct ones relative to
/// their size.
extension NormalisedUnit {
    /// The unit's output for input [N, C, H, W] (convolution, ReLU, batch norm) max-pooled over
    /// unpadded windows of `pool` x `pool` values `pool` apart: [N, filters, H / pool, W / pool]. `pool`
    /// divides the blocks' 4, so that each window lies in one block and the blocks' outputs are
    /// reduced while in registers.
    public func winogradMaxPooled(_ input: Tensor, pool: Int) throws -> Tensor {
        let kernel = transformedWinogradKernel()
        precondition(input.shape.count == 4 && input.shape[1] == kernel.channels && Winograd.outputs % pool == 0,
                     "winogradMaxPooled takes [N, \(kernel.channels), H, W] and pools of 1, 2 or 4, not \(input.shape), \(pool)")
        let (batch, channels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let filters = kernel.filters
        let blocksDown = (height + Winograd.outputs - 1) / Winograd.outputs
        let blocksAcross = (width + Winograd.outputs - 1) / Winograd.outputs
        let blocks = blocksDown * blocksAcross
        // Work units: a patch's blocks, a piece at a time (units never mix patches, so that a patch
        // gives the same output alone as in a batch).
        let pieces = (blocks + Self.pieceBlocks - 1) / Self.pieceBlocks
        let padded = Winograd.paddedPlanes(input, blocksDown: blocksDown, blocksAcross: blocksAcross)
        let paddedWidth = Winograd.paddedWidth(blocksAcross: blocksAcross)
        let planeSize = (blocksDown * Winograd.outputs + 2) * paddedWidth
        let pooled = (rows: height / pool, columns: width / pool)
        var output = [Float](repeating: 0, count: batch * filters * pooled.rows * pooled.columns)
        let (scale, shift) = norm.inferenceAffine
        let after = AfterConvolution(bias: weighted.bias.value.scalars, scale: scale, shift: shift)
        try output.withUnsafeMutableBufferPointer { output in
            let output = output.baseAddress!
            try padded.withUnsafeBufferPointer { padded in
                try kernel.transformed.withUnsafeBufferPointer { transformed in
                    try concurrently(batch * pieces) { units in
                        let most = (Self.pieceBlocks + 7) / 8 * 8
                        var spread = [Float](repeating: 0, count: Winograd.positions * channels * most)
                        var products = [Float](repeating: 0, count: Winograd.positions * filters * most)
                        try spread.withUnsafeMutableBufferPointer { spread in
                            try products.withUnsafeMutableBufferPointer { products in
                                let (spread, products) = (spread.baseAddress!, products.baseAddress!)
                                for unit in units {
                                    let (patch, piece) = unit.quotientAndRemainder(dividingBy: pieces)
                                    let range = piece * Self.pieceBlocks ..< min(blocks, (piece + 1) * Self.pieceBlocks)
                                    let count = (range.count + 7) / 8 * 8
                                    Winograd.transformInput(padded.baseAddress! + patch * channels * planeSize, channels: channels,
                                                            planeSize: planeSize, paddedWidth: paddedWidth,
                                                            blocksAcross: blocksAcross, blocks: range, into: spread, count: count)
                                    for position in 0 ..< Winograd.positions {
                                        try MatrixProduct.multiply(
                                            m: filters, n: count, k: channels,
                                            a: transformed.baseAddress! + position * filters * channels, lda: channels,
                                            b: spread + position * channels * count, ldb: count,
                                            c: products + position * filters * count, ldc: count)
                                    }
                                    Winograd.transformOutput(products, filters: filters, count: count, after: after,
                                                             blocksAcross: blocksAcross, blocks: range, pool: pool,
                                                             into: output + patch * filters * pooled.rows * pooled.columns,
                                                             pooled: pooled)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch, filters, pooled.rows, pooled.columns], scalars: output)
    }

    /// Blocks per unit of work: its transformed input and products (0.6 MB each for 128 channels and
    /// filters) stay in the shared cache, and the first unit's 276 blocks a patch make enough units for
    /// both cores (32 and 64 measured alike, 128 slower).
    private static let pieceBlocks = 32

    /// The kernel's transform: the one kept unless the weights changed since.
    private func transformedWinogradKernel() -> WinogradKernel {
        let weights = weighted.weight.value.scalars
        if let kept = winogradKernel, kept.weights == weights { return kept }
        let made = WinogradKernel(weights: weights, shape: weighted.weight.value.shape)
        winogradKernel = made
        return made
    }
}

/// A kernel [filters, channels, 3, 3] transformed for `Winograd`: [36 positions][filters][channels].
struct WinogradKernel {
    /// The weights the transform was made from (a copy-on-write copy).
    let weights: [Float]
    let filters: Int
    let channels: Int
    let transformed: [Float]

    init(weights: [Float], shape: [Int]) {
        precondition(shape.count == 4 && shape[2] == 3 && shape[3] == 3, "Winograd F(4 x 4, 3 x 3) takes 3 x 3 kernels, not \(shape)")
        (filters, channels) = (shape[0], shape[1])
        self.weights = weights
        var transformed = [Float](repeating: 0, count: Winograd.positions * shape[0] * shape[1])
        let (filters, channels) = (filters, channels)
        for pair in 0 ..< filters * channels {
            // G g Gᵀ in double precision.
            let g = (0 ..< 9).map { Double(weights[pair * 9 + $0]) }
            for row in 0 ..< Winograd.inputs {
                for column in 0 ..< Winograd.inputs {
                    var sum = 0.0
                    for i in 0 ..< 3 {
                        for j in 0 ..< 3 { sum += Winograd.g[row][i] * g[i * 3 + j] * Winograd.g[column][j] }
                    }
                    transformed[(row * Winograd.inputs + column) * filters * channels + pair] = Float(sum)
                }
            }
        }
        self.transformed = transformed
    }
}

/// F(4 x 4, 3 x 3)'s transforms, eight blocks at a time (one per SIMD lane), with Lavin & Gray's
/// matrices (for correlation, as convolutional networks compute it).
enum Winograd {
    typealias Lanes = SIMD8<Float>
    typealias Six = (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)
    /// Outputs per block along each axis, inputs per block along each axis, positions per block.
    static let outputs = 4, inputs = 6, positions = 36

    /// G, which transforms the kernels.
    static let g: [[Double]] = [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                                [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]

    /// Bᵀ x: [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1].
    @inline(__always)
    static func bTransposed(_ x: Six) -> Six {
        let (a, b) = (x.4 - 4 * x.2, x.3 - 4 * x.1)
        let (c, d) = (x.4 - x.2, 2 * (x.3 - x.1))
        return (4 * x.0 - 5 * x.2 + x.4, a + b, a - b, c + d, c - d, 4 * x.1 - 5 * x.3 + x.5)
    }

    /// Aᵀ x: [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
    @inline(__always)
    static func aTransposed(_ x: Six) -> (Lanes, Lanes, Lanes, Lanes) {
        let (sum, difference) = (x.1 + x.2, x.1 - x.2)
        let (sum2, difference2) = (x.3 + x.4, x.3 - x.4)
        return (x.0 + sum + sum2, difference + 2 * difference2, sum + 4 * sum2, difference + 8 * difference2 + x.5)
    }

    /// A padded plane's rows: whole blocks, one column before and one after them, and two more so that
    /// each block's rows can be read as whole vectors of eight.
    static func paddedWidth(blocksAcross: Int) -> Int { blocksAcross * outputs + 4 }

    /// Each plane of [N, C, H, W] with a zero border: one row and column before, and after enough
    /// to fill whole blocks plus one (and `paddedWidth`'s two columns).
    static func paddedPlanes(_ input: Tensor, blocksDown: Int, blocksAcross: Int) -> [Float] {
        let (planes, height, width) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let (paddedHeight, paddedWidth) = (blocksDown * outputs + 2, Self.paddedWidth(blocksAcross: blocksAcross))
        var padded = [Float](repeating: 0, count: planes * paddedHeight * paddedWidth)
        for plane in 0 ..< planes {
            for row in 0 ..< height {
                let target = (plane * paddedHeight + row + 1) * paddedWidth + 1
                let source = (plane * height + row) * width
                padded.replaceSubrange(target ..< target + width, with: input.scalars[source ..< source + width])
            }
        }
        return padded
    }

    /// The blocks of eight lanes from block `first` of `blocks` on (numbered row by row): each one's
    /// top-left position in a padded plane, and the block number (lanes past the last block repeat it).
    static func lanes(from first: Int, of blocks: Range<Int>, blocksAcross: Int, paddedWidth: Int)
        -> (offsets: SIMD8<Int>, blocks: SIMD8<Int>) {
        var (offsets, numbers) = (SIMD8<Int>(), SIMD8<Int>())
        for lane in 0 ..< 8 {
            let block = min(first + lane, blocks.count - 1) + blocks.lowerBound
            let (row, column) = block.quotientAndRemainder(dividingBy: blocksAcross)
            (offsets[lane], numbers[lane]) = ((row * paddedWidth + column) * outputs, block)
        }
        return (offsets, numbers)
    }

    /// The 8 x 8 transpose of eight vectors: three perfect unshuffles of their 64 values (each takes
    /// the even values, then the odd ones) rotate every value's 6-bit index by 3 bits.
    @inline(__always)
    static func transposed(_ vectors: InlineArray<8, Lanes>) -> InlineArray<8, Lanes> {
        var x = vectors
        for _ in 0 ..< 3 {
            var y = x
            for pair in 0 ..< 4 {
                let values = SIMD16(lowHalf: x[2 * pair], highHalf: x[2 * pair + 1])
                (y[pair], y[pair + 4]) = (values.evenHalf, values.oddHalf)
            }
            x = y
        }
        return x
    }

    /// Bᵀ d B of the input blocks `blocks` of every channel (padded planes `planeSize` apart) into
    /// [positions][channels][count].
    static func transformInput(_ planes: UnsafePointer<Float>, channels: Int, planeSize: Int, paddedWidth: Int,
                               blocksAcross: Int, blocks: Range<Int>, into spread: UnsafeMutablePointer<Float>, count: Int) {
        for first in stride(from: 0, to: count, by: Lanes.scalarCount) {
            let offsets = lanes(from: first, of: blocks, blocksAcross: blocksAcross, paddedWidth: paddedWidth).offsets
            for channel in 0 ..< channels {
                let plane = planes + channel * planeSize
                // Row by row, each lane's block row as one vector, turned into the row's six columns
                // with one block a lane.
                var d = InlineArray<6, InlineArray<8, Lanes>>(repeating: InlineArray(repeating: .zero))
                for row in 0 ..< inputs {
                    var lines = InlineArray<8, Lanes>(repeating: .zero)
                    for lane in 0 ..< Lanes.scalarCount {
                        lines[lane] = UnsafeRawPointer(plane + offsets[lane] + row * paddedWidth).loadUnaligned(as: Lanes.self)
                    }
                    d[row] = transposed(lines)
                }
                // Bᵀ d column by column, then (Bᵀ d) B row by row.
                var columns = InlineArray<6, Six>(repeating: (.zero, .zero, .zero, .zero, .zero, .zero))
                for column in 0 ..< inputs {
                    columns[column] = bTransposed((d[0][column], d[1][column], d[2][column],
                                                   d[3][column], d[4][column], d[5][column]))
                }
                func store(_ row: Int, _ values: Six) {
                    let target = UnsafeMutableRawPointer(spread + (row * inputs * channels + channel) * count + first)
                    let step = channels * count * MemoryLayout<Float>.stride
                    target.storeBytes(of: values.0, as: Lanes.self)
                    (target + step).storeBytes(of: values.1, as: Lanes.self)
                    (target + 2 * step).storeBytes(of: values.2, as: Lanes.self)
                    (target + 3 * step).storeBytes(of: values.3, as: Lanes.self)
                    (target + 4 * step).storeBytes(of: values.4, as: Lanes.self)
                    (target + 5 * step).storeBytes(of: values.5, as: Lanes.self)
                }
                store(0, bTransposed((columns[0].0, columns[1].0, columns[2].0, columns[3].0, columns[4].0, columns[5].0)))
                store(1, bTransposed((columns[0].1, columns[1].1, columns[2].1, columns[3].1, columns[4].1, columns[5].1)))
                store(2, bTransposed((columns[0].2, columns[1].2, columns[2].2, columns[3].2, columns[4].2, columns[5].2)))
                store(3, bTransposed((columns[0].3, columns[1].3, columns[2].3, columns[3].3, columns[4].3, columns[5].3)))
                store(4, bTransposed((columns[0].4, columns[1].4, columns[2].4, columns[3].4, columns[4].4, columns[5].4)))
                store(5, bTransposed((columns[0].5, columns[1].5, columns[2].5, columns[3].5, columns[4].5, columns[5].5)))
            }
        }
    }

    /// Aᵀ m A of the products [positions][filters][count] of blocks `blocks`, then what follows the
    /// convolution and the maximum over windows of `pool` x `pool`, written into the planes
    /// [filters, pooled.rows, pooled.columns] of `output` (windows past the planes' edges dropped).
    static func transformOutput(_ products: UnsafePointer<Float>, filters: Int, count: Int, after: AfterConvolution,
                                blocksAcross: Int, blocks: Range<Int>, pool: Int, into output: UnsafeMutablePointer<Float>,
                                pooled: (rows: Int, columns: Int)) {
        let windows = outputs / pool
        for first in stride(from: 0, to: min(count, blocks.count), by: Lanes.scalarCount) {
            let numbers = lanes(from: first, of: blocks, blocksAcross: blocksAcross, paddedWidth: 0).blocks
            let valid = min(Lanes.scalarCount, blocks.count - first)
            for filter in 0 ..< filters {
                func loaded(_ row: Int, _ column: Int) -> Lanes {
                    UnsafeRawPointer(products + ((row * inputs + column) * filters + filter) * count + first)
                        .loadUnaligned(as: Lanes.self)
                }
                // Aᵀ m row by row (m A), then Aᵀ (m A) column by column: [column][row] of the outputs.
                var rows = InlineArray<6, InlineArray<4, Lanes>>(repeating: InlineArray(repeating: .zero))
                for row in 0 ..< inputs {
                    let (first, second, third, fourth) = aTransposed((loaded(row, 0), loaded(row, 1), loaded(row, 2),
                                                                      loaded(row, 3), loaded(row, 4), loaded(row, 5)))
                    rows[row] = [first, second, third, fourth]
                }
                var values = InlineArray<16, Lanes>(repeating: .zero)
                for column in 0 ..< outputs {
                    let (top, second, third, bottom) = aTransposed((rows[0][column], rows[1][column], rows[2][column],
                                                                    rows[3][column], rows[4][column], rows[5][column]))
                    (values[4 * column], values[4 * column + 1], values[4 * column + 2], values[4 * column + 3]) =
                        (top, second, third, bottom)
                }
                // max(y + bias, 0) · scale + shift rises with y when scale ≥ 0 and falls otherwise: the
                // window's largest or smallest y gives its maximum.
                let (bias, scale, shift) = (after.bias[filter], after.scale[filter], after.shift[filter])
                let plane = output + filter * pooled.rows * pooled.columns
                for windowRow in 0 ..< windows {
                    for windowColumn in 0 ..< windows {
                        var extreme = values[4 * windowColumn * pool + windowRow * pool]
                        for column in windowColumn * pool ..< (windowColumn + 1) * pool {
                            for row in windowRow * pool ..< (windowRow + 1) * pool {
                                let y = values[4 * column + row]
                                extreme.replace(with: y, where: scale < 0 ? y .< extreme : y .> extreme)
                            }
                        }
                        for lane in 0 ..< valid {
                            let (blockRow, blockColumn) = numbers[lane].quotientAndRemainder(dividingBy: blocksAcross)
                            let (row, column) = (blockRow * windows + windowRow, blockColumn * windows + windowColumn)
                            if row < pooled.rows && column < pooled.columns {
                                plane[row * pooled.columns + column] = max(extreme[lane] + bias, 0) * scale + shift
                            }
                        }
                    }
                }
            }
        }
    }
}
