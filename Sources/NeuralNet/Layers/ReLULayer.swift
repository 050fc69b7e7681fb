import StepDSL
import Tensor

/// `nn.ReLU()`. After a convolution it runs inside the convolution's kernel (`Conv2DLayer.fuses`).
public struct ReLULayer: Layer {
    public static let fileTypes = ["relu"]
    public static let form = LayerForm("relu", usage: "relu")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] { [ReLULayer()] }
    public init() {}
    public init(file: LayerArguments) {}
    public var fileArguments: [(key: String, value: LayerValue)] { [] }
    public var name: String { "relu" }
    public var summary: String { "relu" }

    public func outputShape(for input: [Int]) -> [Int] { input }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        guard !context.fusedIntoPrevious else { return x }
        var y = x
        Activation.reluInPlace(&y)
        return y
    }

    /// Saves the output; when fused, the previous layer's backward reads it.
    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        let y = context.fusedIntoPrevious ? x : Activation.reluForward(x)
        return (y, y)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        guard !context.fusedIntoPrevious else { return (dy, LayerParameters()) }
        return (Activation.reluBackward(output: saved as! Tensor, outputGradient: dy), LayerParameters())
    }
}
