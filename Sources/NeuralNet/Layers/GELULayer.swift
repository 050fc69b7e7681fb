import StepDSL
import Tensor

/// `nn.GELU()`: `x * Φ(x)` with the exact normal CDF.
public struct GELULayer: Layer {
    public static let fileTypes = ["gelu"]
    public static let form = LayerForm("gelu", usage: "gelu")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] { [GELULayer()] }
    public init() {}
    public init(file: LayerArguments) {}
    public var fileArguments: [(key: String, value: LayerValue)] { [] }
    public var name: String { "gelu" }
    public var summary: String { "gelu" }

    public func outputShape(for input: [Int]) -> [Int] { input }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        Activation.geluForward(x, threads: context.threads)
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        (Activation.geluForward(x, threads: context.threads), x)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        (Activation.geluBackward(input: saved as! Tensor, outputGradient: dy, threads: context.threads), LayerParameters())
    }
}
