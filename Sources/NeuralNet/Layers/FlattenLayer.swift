import StepDSL
import Tensor

/// `nn.Flatten()`: any per-image shape to `[F]`.
public struct FlattenLayer: Layer {
    public static let fileTypes = ["flatten"]
    public static let form = LayerForm("flatten", usage: "flatten")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] { [FlattenLayer()] }
    public init() {}
    public init(file: LayerArguments) {}
    public var fileArguments: [(key: String, value: LayerValue)] { [] }
    public var name: String { "flatten" }
    public var summary: String { "flatten" }

    public func outputShape(for input: [Int]) -> [Int] { [input.reduce(1, *)] }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        x.reshaped([context.batch, x.count / max(context.batch, 1)])
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        (forward(x, parameters: parameters, context: context), x.shape)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        (dy.reshaped(saved as! [Int]), LayerParameters())
    }
}
