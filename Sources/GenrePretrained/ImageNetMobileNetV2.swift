import Foundation
import GenreNN
import GenreSupport

/// Google's ImageNet MobileNetV2 (width 1.0, trained with quantization-aware 8-bit weights; Apache
/// 2.0, see Resources/imagenet-mobilenet-v2), dequantised to float32 by scripts/convert-mobilenet-v2.sh:
/// where `mobilenet-v2 --pretrained imagenet` starts. The file holds its 52 convolutions, "conv00"
/// (the stem, its RGB summed into one channel) to "conv51" (the last 1 x 1 to 1280), in the order
/// they run; the ImageNet head is left out.
public enum ImageNetMobileNetV2 {
    public static let convolutionCount = 52

    /// The converted weights, from GenrePretrained's resources.
    public static func weights() throws(PretrainedNetworkError) -> SafetensorsFile {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")
        let name = "imagenet-mobilenet-v2/mobilenet_v2_1.0.safetensors"
        guard let folder = Resources.path("imagenet-mobilenet-v2", module: "GenrePretrained", sourceFolder: sources) else {
            throw .missing(path: name)
        }
        let url = URL(fileURLWithPath: folder).appendingPathComponent("mobilenet_v2_1.0.safetensors")
        do { return try SafetensorsFile(contentsOf: url) } catch { throw .damaged(path: name, reason: "\(error)") }
    }

    /// Puts the weights into the convolutions of `layers` (MobileNetV2 at width 1 on a one-channel
    /// image), in the order they run, and makes every batch norm the identity with its statistics
    /// frozen: the file's convolutions have their batch norms folded in, so the batch norms start
    /// as scale 1, shift 0, and learn only a scale and shift from there. Nothing changes unless every
    /// convolution is found with its shape.
    public static func load(into layers: [any Layer]) throws {
        let flat = layers.flatMap(flattened)
        let convolutions = flat.compactMap { $0 as? Conv2D }
        let file = try weights()
        let source = "imagenet-mobilenet-v2/mobilenet_v2_1.0.safetensors"
        guard convolutions.count == convolutionCount else {
            throw PretrainedNetworkError.damaged(path: source, reason:
                "it holds \(convolutionCount) convolutions, the network has \(convolutions.count): the ImageNet weights fit MobileNetV2 at width 1 only")
        }
        let values = try convolutions.enumerated().map { index, convolution in
            let name = String(format: "conv%02d", index)
            return (try file.tensor("\(name).weight", shape: convolution.weight.value.shape, source: source),
                    try file.tensor("\(name).bias", shape: convolution.bias.value.shape, source: source))
        }
        for (convolution, (weight, bias)) in zip(convolutions, values) {
            convolution.weight.value = weight
            convolution.bias.value = bias
        }
        for norm in flat.compactMap({ $0 as? BatchNorm }) {
            norm.weight.value = Tensor(shape: [norm.channels], scalars: [Float](repeating: 1, count: norm.channels))
            norm.bias.value = Tensor(zeros: [norm.channels])
            norm.runningMean.value = Tensor(zeros: [norm.channels])
            // So that variance + epsilon is 1.
            norm.runningVariance.value = Tensor(shape: [norm.channels], scalars: [Float](repeating: 1 - norm.epsilon, count: norm.channels))
            norm.frozenStatistics = true
        }
    }

    /// The layers run, blocks opened.
    private static func flattened(_ layer: any Layer) -> [any Layer] {
        switch layer {
        case let sequence as Sequential: sequence.layers.flatMap(flattened)
        case let block as InvertedResidual: flattened(block.body)
        default: [layer]
        }
    }
}
