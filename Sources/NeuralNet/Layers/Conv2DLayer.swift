import StepDSL
import Tensor

/// `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)`: square kernels, `[C, H, W]` in and out.
/// Followed by ReLU, both run as one fused kernel.
public struct Conv2DLayer: Layer {
    public static let fileTypes = ["conv2d"]
    public static let form = LayerForm(
        "conv",
        positional: [.init("out_channels", .count, what: "the output channel count of a conv layer", example: "conv 32 3x3"),
                     .init("kernel_size", .kernel, what: "kernel size", example: "conv 32 3x3")],
        options: [.init("stride", .count, what: "the stride", example: "stride 2", default: 1),
                  .init("padding", .padding, what: "the padding", example: "padding 1", default: 0)],
        flags: ["relu", "gelu"], usage: "conv OUT KxK [stride S] [padding P|same] [relu|gelu]")

    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [Conv2DLayer(inChannels: input.first ?? 0, outChannels: line.int("out_channels")!,
                     kernelSize: line.int("kernel_size")!, stride: line.int("stride")!,
                     padding: line.int("padding")!)] + activation(line)
    }

    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0) {
        (self.inChannels, self.outChannels, self.kernelSize) = (inChannels, outChannels, kernelSize)
        (self.stride, self.padding) = (stride, padding)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(inChannels: file.int("in_channels"), outChannels: file.int("out_channels"),
                      kernelSize: file.int("kernel_size"), stride: file.int("stride", default: 1),
                      padding: file.int("padding", default: 0))
    }

    public var fileArguments: [(key: String, value: LayerValue)] {
        [("in_channels", .int(inChannels)), ("out_channels", .int(outChannels)), ("kernel_size", .int(kernelSize)),
         ("stride", .int(stride)), ("padding", .int(padding))]
    }

    public var name: String {
        "conv2d(\(inChannels)->\(outChannels), \(kernelSize)x\(kernelSize)"
            + (stride != 1 ? ", stride \(stride)" : "") + (padding != 0 ? ", padding \(padding)" : "") + ")"
    }

    public var summary: String {
        "conv2d \(inChannels)→\(outChannels) \(kernelSize)x\(kernelSize)"
            + (stride == 1 ? "" : " stride \(stride)") + (padding == 0 ? "" : " pad \(padding)")
    }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        let (k, s, p) = (kernelSize, stride, padding)
        guard inChannels > 0, outChannels > 0, k > 0, s > 0, p >= 0 else { throw LayerShapeError("sizes must be positive") }
        guard input.count == 3 else { throw LayerShapeError("expects a [channels, height, width] input") }
        guard input[0] == inChannels else {
            throw LayerShapeError("expects \(inChannels) input channels (in_channels=\(input[0]) fits)")
        }
        let h = (input[1] + 2 * p - k) / s + 1, w = (input[2] + 2 * p - k) / s + 1
        guard input[1] + 2 * p >= k, input[2] + 2 * p >= k, h > 0, w > 0 else {
            throw LayerShapeError("the \(k)x\(k) kernel is larger than the padded image")
        }
        return [outChannels, h, w]
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        let bound = 1 / Float(inChannels * kernelSize * kernelSize).squareRoot()
        let w = Tensor.uniform([outChannels, inChannels, kernelSize, kernelSize], bound: bound, rng: &rng)
        return LayerParameters(weight: w, bias: .uniform([outChannels], bound: bound, rng: &rng))
    }

    public func flops(input: [Int], output: [Int]) -> Int {
        2 * outChannels * output[1] * output[2] * inChannels * kernelSize * kernelSize
    }

    func geometry(_ context: LayerContext) -> Conv2DGeometry {
        Conv2DGeometry(batch: context.batch, inChannels: inChannels, height: context.input[1],
                       width: context.input[2], outChannels: outChannels, kernel: kernelSize, stride: stride,
                       padding: padding)
    }

    public func fuses(_ next: any Layer) -> Bool { next is ReLULayer }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        Conv2D.forward(x, weight: parameters.required("weight"), bias: parameters.required("bias"),
                       geometry: geometry(context), relu: context.fusesNext, threads: context.threads)
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        (forward(x, parameters: parameters, context: context), x)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        // With a fused ReLU, its saved output masks the gradient inside the kernel.
        let g = Conv2D.backward(input: saved as! Tensor, weight: parameters.required("weight"), outputGradient: dy,
                                geometry: geometry(context), reluOutput: context.fusedSaved as? Tensor,
                                inputGradient: context.needsInputGradient, threads: context.threads)
        return (g.input, LayerParameters(weight: g.weight, bias: g.bias))
    }
}
