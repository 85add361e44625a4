import GenreNN

/// A network of musicnn's family, built from its description and run for inference only.
protocol TaggingArchitecture: AnyObject {
    /// Every layer with tensors and the prefix of their names in the converted weights:
    /// ("timbral_38.conv", conv) holds "timbral_38.conv.weight" and "timbral_38.conv.bias".
    var namedLayers: [(prefix: String, layer: any Layer)] { get }
    /// "logits" and every intermediate output for patches [N, 1, 96, 187].
    func outputs(_ patches: Tensor) throws -> [String: Tensor]
}
