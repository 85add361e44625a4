import Foundation
import GenreSupport

/// What the trainer changes in each training batch, never in validation or inference: SpecAugment's
/// time and frequency masks (Park et al. 2019) on [N, C, H = bands, W = frames] inputs, and mixup
/// (Zhang et al. 2018). Inputs are standardised, so a masked cell is set to 0, the column's mean.
public struct BatchAugmentation: Codable, Sendable, Equatable {
    /// `count` masks per example, each `0 ... maxWidth` wide (uniform), at a uniform start.
    public struct Masks: Codable, Sendable, Equatable {
        public let count: Int
        public let maxWidth: Int

        public init(count: Int, maxWidth: Int) throws {
            try require(count >= 1 && maxWidth >= 1, "BatchAugmentation",
                        "masks need a count and a width of at least 1, got \(count) and \(maxWidth)")
            self.count = count
            self.maxWidth = maxWidth
        }
    }

    /// Masks of consecutive frames (the last axis).
    public let timeMasks: Masks?
    /// Masks of consecutive bands (the second last axis).
    public let frequencyMasks: Masks?
    /// Mixup's α: each batch is mixed with a shuffled copy of itself by λ ~ Beta(α, α); nil for none.
    public let mixupAlpha: Double?

    public init(timeMasks: Masks? = nil, frequencyMasks: Masks? = nil, mixupAlpha: Double? = nil) throws {
        if let mixupAlpha {
            try require(mixupAlpha > 0 && mixupAlpha.isFinite, "BatchAugmentation", "mixup's alpha must be positive, got \(mixupAlpha)")
        }
        self.timeMasks = timeMasks
        self.frequencyMasks = frequencyMasks
        self.mixupAlpha = mixupAlpha
    }

    /// One line for a report: `2 time masks of up to 20 frames, 2 frequency masks of up to 12 bands, mixup α 0.2`.
    public var summary: String {
        let masks = [(timeMasks, "time", "frames"), (frequencyMasks, "frequency", "bands")].compactMap { masks, axis, unit in
            masks.map { "\($0.count) \(axis) masks of up to \($0.maxWidth) \(unit)" }
        }
        return (masks + (mixupAlpha.map { ["mixup α \($0)"] } ?? [])).joined(separator: ", ")
    }

    /// A batch as trained on: its inputs, and the labels its loss is taken against.
    public struct Batch {
        public let inputs: Tensor
        public let labels: [Int]
        /// Mixup's other labels (the partner of each example) and λ, the weight of `labels`; nil
        /// without mixup.
        public let mix: (partnerLabels: [Int], weight: Double)?

        /// The soft targets [examples][classes]: λ on the label, 1 - λ on the partner's.
        public func targets(classes: Int) -> [[Double]] {
            labels.indices.map { row in
                var target = [Double](repeating: 0, count: classes)
                target[labels[row]] += mix?.weight ?? 1
                if let mix { target[mix.partnerLabels[row]] += 1 - mix.weight }
                return target
            }
        }
    }

    /// The batch with masks and mixup applied, the draws taken from `generator`.
    public func apply(_ inputs: Tensor, labels: [Int], generator: inout SeededGenerator) throws -> Batch {
        var scalars = inputs.scalars
        let shape = inputs.shape
        if timeMasks != nil || frequencyMasks != nil {
            try require(shape.count >= 3, "BatchAugmentation",
                        "time and frequency masks need [examples, (channels,) bands, frames] inputs, got \(shape)")
            let frames = shape[shape.count - 1], bands = shape[shape.count - 2]
            let planes = inputs.count / (frames * bands)  // examples × channels, each masked alike per example
            let perExample = planes / shape[0]
            for example in 0 ..< shape[0] {
                let bandRanges = Self.draw(frequencyMasks, size: bands, generator: &generator)
                let frameRanges = Self.draw(timeMasks, size: frames, generator: &generator)
                for plane in example * perExample ..< (example + 1) * perExample {
                    let base = plane * bands * frames
                    for range in bandRanges { for band in range { for frame in 0 ..< frames { scalars[base + band * frames + frame] = 0 } } }
                    for range in frameRanges { for band in 0 ..< bands { for frame in range { scalars[base + band * frames + frame] = 0 } } }
                }
            }
        }
        guard let mixupAlpha, labels.count > 1 else {
            return Batch(inputs: Tensor(shape: shape, scalars: scalars), labels: labels, mix: nil)
        }
        let weight = generator.beta(mixupAlpha, mixupAlpha)
        var partners = Array(labels.indices)
        generator.shuffle(&partners)
        let size = inputs.count / labels.count
        let original = scalars
        let (a, b) = (Float(weight), Float(1 - weight))
        for (row, partner) in partners.enumerated() {
            for j in 0 ..< size { scalars[row * size + j] = a * original[row * size + j] + b * original[partner * size + j] }
        }
        return Batch(inputs: Tensor(shape: shape, scalars: scalars), labels: labels,
                     mix: (partners.map { labels[$0] }, weight))
    }

    /// The ranges of `masks` along an axis of `size`, each no wider than `maxWidth` nor the axis.
    static func draw(_ masks: Masks?, size: Int, generator: inout SeededGenerator) -> [Range<Int>] {
        guard let masks else { return [] }
        return (0 ..< masks.count).map { _ in
            let width = generator.below(min(masks.maxWidth, size) + 1)
            let start = generator.below(size - width + 1)
            return start ..< start + width
        }
    }
}
