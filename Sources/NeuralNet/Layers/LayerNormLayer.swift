import StepDSL
import Tensor

/// `nn.LayerNorm(D)` over the last dimension of tokens `[T, D]` (or features `[F]`): `weight` and `bias` `[D]`,
/// eps 1e-6 as timm's ViT uses.
public struct LayerNormLayer: Layer {
    public static let fileTypes = ["layernorm"]
    public static let form = LayerForm("layernorm", usage: "layernorm")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [LayerNormLayer(features: input.last ?? 0)]
    }

    public let features: Int, eps: Float

    public init(features: Int, eps: Float = 1e-6) {
        (self.features, self.eps) = (features, eps)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(features: file.int("normalized_shape"), eps: file.float("eps", default: 1e-5))
    }

    public var fileArguments: [(key: String, value: LayerValue)] {
        [("normalized_shape", .int(features)), ("eps", .float(eps))]
    }

    public var name: String { "layernorm(\(features))" }
    public var summary: String { "layernorm \(features)" }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        guard input.last == features, features > 0, eps > 0 else {
            throw LayerShapeError("expects \(features) values in the last dimension")
        }
        return input
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        Self.initial(features)
    }

    static func initial(_ d: Int) -> LayerParameters {
        LayerParameters(weight: Tensor(repeating: 1, shape: [d]), bias: Tensor(zeros: [d])).decayingMatricesOnly()
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        LayerNorm.forward(x, weight: parameters.required("weight"), bias: parameters.required("bias"), eps: eps,
                          threads: context.threads).output
    }

    struct Saved: Sendable {
        var input: Tensor
        var statistics: LayerNorm.Statistics
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        let (y, statistics) = LayerNorm.forward(x, weight: parameters.required("weight"),
                                                bias: parameters.required("bias"), eps: eps, threads: context.threads)
        return (y, Saved(input: x, statistics: statistics))
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let saved = saved as! Saved
        let g = LayerNorm.backward(input: saved.input, weight: parameters.required("weight"),
                                   statistics: saved.statistics, outputGradient: dy, threads: context.threads)
        return (g.input, LayerParameters(weight: g.weight, bias: g.bias))
    }
}
