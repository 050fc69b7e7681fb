import StepDSL
import Tensor

/// timm's class token: a learned `cls_token` `[1, 1, D]` put before the tokens, `[T, D]` to `[T + 1, D]`.
public struct ClassTokenLayer: Layer {
    public static let fileTypes = ["cls_token"]
    public static let form = LayerForm("cls_token", usage: "cls_token")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [ClassTokenLayer(embedDim: input.count == 2 ? input[1] : 0)]
    }

    public let embedDim: Int

    public init(embedDim: Int) {
        self.embedDim = embedDim
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(embedDim: file.int("embed_dim"))
    }

    public var fileArguments: [(key: String, value: LayerValue)] { [("embed_dim", .int(embedDim))] }
    public var name: String { "cls_token(\(embedDim))" }
    public var summary: String { "cls_token \(embedDim)" }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        guard input.count == 2 else { throw LayerShapeError("expects tokens [count, dim] (add patch_embed before it)") }
        guard input[1] == embedDim else { throw LayerShapeError("expects \(embedDim)-value tokens (embed_dim=\(input[1]) fits)") }
        return [input[0] + 1, embedDim]
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        LayerParameters([.init("cls_token", Tensor.normal([1, 1, embedDim], std: 0.02, rng: &rng), decays: false)])
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        Tokens.prependClassToken(x, classToken: parameters.required("cls_token"))
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        (forward(x, parameters: parameters, context: context), 0)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let g = Tokens.prependClassTokenBackward(outputGradient: dy, classTokenShape: [1, 1, embedDim])
        return (g.tokens, LayerParameters([.init("cls_token", g.classToken)]))
    }
}
