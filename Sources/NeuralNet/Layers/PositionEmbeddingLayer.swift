import StepDSL
import Tensor

/// timm's learned position embedding: `pos_embed` `[1, T, D]` added to every image's tokens `[T, D]`.
public struct PositionEmbeddingLayer: Layer {
    public static let fileTypes = ["pos_embed"]
    public static let form = LayerForm("pos_embed", usage: "pos_embed")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [PositionEmbeddingLayer(tokens: input.first ?? 0, embedDim: input.count == 2 ? input[1] : 0)]
    }

    public let tokens: Int, embedDim: Int

    public init(tokens: Int, embedDim: Int) {
        (self.tokens, self.embedDim) = (tokens, embedDim)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(tokens: file.int("num_tokens"), embedDim: file.int("embed_dim"))
    }

    public var fileArguments: [(key: String, value: LayerValue)] {
        [("num_tokens", .int(tokens)), ("embed_dim", .int(embedDim))]
    }

    public var name: String { "pos_embed(\(tokens)x\(embedDim))" }
    public var summary: String { "pos_embed \(tokens)x\(embedDim)" }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        guard input.count == 2 else { throw LayerShapeError("expects tokens [count, dim] (add patch_embed before it)") }
        guard input == [tokens, embedDim] else {
            throw LayerShapeError("expects \(tokens) tokens of \(embedDim) values")
        }
        return input
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        LayerParameters([.init("pos_embed", Tensor.normal([1, tokens, embedDim], std: 0.02, rng: &rng), decays: false)])
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        var y = x
        Tokens.addPositionEmbedding(&y, parameters.required("pos_embed"))
        return y
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        (forward(x, parameters: parameters, context: context), 0)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let g = Tokens.positionEmbeddingGradient(outputGradient: dy, embeddingShape: [1, tokens, embedDim])
        return (dy, LayerParameters([.init("pos_embed", g)]))
    }
}
