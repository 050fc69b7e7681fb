import StepDSL
import Tensor

/// `nn.MaxPool2d(kernel_size, stride)` over `[C, H, W]`.
public struct MaxPool2DLayer: Layer {
    public static let fileTypes = ["maxpool2d"]
    public static let form = LayerForm(
        "maxpool", positional: [.init("kernel_size", .window, what: "kernel size", example: "maxpool 2")],
        options: [.init("stride", .count, what: "the stride", example: "stride 2", defaultFrom: "kernel_size")],
        usage: "maxpool K [stride S]")

    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [MaxPool2DLayer(kernelSize: line.int("kernel_size")!, stride: line.int("stride")!)]
    }

    public let kernelSize: Int, stride: Int

    public init(kernelSize: Int, stride: Int) {
        (self.kernelSize, self.stride) = (kernelSize, stride)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        let k = try file.int("kernel_size")
        try self.init(kernelSize: k, stride: file.int("stride", default: k))
    }

    public var fileArguments: [(key: String, value: LayerValue)] {
        [("kernel_size", .int(kernelSize)), ("stride", .int(stride))]
    }

    public var name: String { "maxpool2d(\(kernelSize)\(stride != kernelSize ? ", stride \(stride)" : ""))" }
    public var summary: String { "maxpool2d \(kernelSize)" + (stride == kernelSize ? "" : " stride \(stride)") }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        let (k, s) = (kernelSize, stride)
        guard k > 0, s > 0 else { throw LayerShapeError("kernel_size and stride must be positive") }
        guard input.count == 3 else { throw LayerShapeError("expects a [channels, height, width] input") }
        guard input[1] >= k, input[2] >= k else { throw LayerShapeError("the \(k)x\(k) window is larger than the image") }
        return [input[0], (input[1] - k) / s + 1, (input[2] - k) / s + 1]
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        MaxPool2D.forward(x, kernel: kernelSize, stride: stride, threads: context.threads).output
    }

    struct Saved: Sendable {
        var argmax: [Int32]
        var inputShape: [Int]
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        let (y, argmax) = MaxPool2D.forward(x, kernel: kernelSize, stride: stride, threads: context.threads)
        return (y, Saved(argmax: argmax, inputShape: x.shape))
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let saved = saved as! Saved
        return (MaxPool2D.backward(outputGradient: dy, argmax: saved.argmax, inputShape: saved.inputShape,
                                   threads: context.threads), LayerParameters())
    }
}
