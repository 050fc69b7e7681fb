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
        LayerParameters([.init("cls_token", Tokens.normal([1, 1, embedDim], std: 0.02, rng: &rng))])
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        let (n, t, d) = (context.batch, context.input[0], embedDim)
        let cls = parameters.required("cls_token").scalars
        var out = [Float].unfilled(count: n * (t + 1) * d)
        for image in 0..<n {
            out.replaceSubrange(image * (t + 1) * d..<(image * (t + 1) + 1) * d, with: cls)
            out.replaceSubrange((image * (t + 1) + 1) * d..<(image + 1) * (t + 1) * d,
                                with: x.scalars[image * t * d..<(image + 1) * t * d])
        }
        return Tensor(shape: [n, t + 1, d], scalars: out)
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        (forward(x, parameters: parameters, context: context), 0)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let (n, t, d) = (context.batch, context.input[0], embedDim)
        var dCls = [Float](repeating: 0, count: d)
        var dx = context.needsInputGradient ? [Float].unfilled(count: n * t * d) : []
        for image in 0..<n {
            let base = image * (t + 1) * d
            for j in 0..<d { dCls[j] += dy.scalars[base + j] }
            if context.needsInputGradient {
                dx.replaceSubrange(image * t * d..<(image + 1) * t * d, with: dy.scalars[(base + d)..<(base + (t + 1) * d)])
            }
        }
        return (context.needsInputGradient ? Tensor(shape: [n, t, d], scalars: dx) : nil,
                LayerParameters([.init("cls_token", Tensor(shape: [1, 1, d], scalars: dCls))]))
    }
}
