import StepDSL
import Tensor

/// timm's `PatchEmbed`: a `[D, C, P, P]` convolution with stride P cuts `[C, H, W]` into (H/P)·(W/P) patches and
/// projects each to D values, giving tokens `[T, D]` (row-major patch order, as `flatten(2).transpose(1, 2)`).
/// Parameters `proj.weight` `[D, C, P, P]` and `proj.bias` `[D]`, initialised as `nn.Conv2d`.
public struct PatchEmbeddingLayer: Layer {
    public static let fileTypes = ["patch_embed"]
    public static let form = LayerForm(
        "patch_embed",
        positional: [.init("patch_size", .kernel, what: "patch size", example: "patch_embed 4x4 64"),
                     .init("embed_dim", .count, what: "the token size of a patch embedding",
                           example: "patch_embed 4x4 64")],
        usage: "patch_embed PxP DIM")

    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [PatchEmbeddingLayer(inChannels: input.first ?? 0, embedDim: line.int("embed_dim")!,
                             patchSize: line.int("patch_size")!)]
    }

    public let inChannels: Int, embedDim: Int, patchSize: Int

    public init(inChannels: Int, embedDim: Int, patchSize: Int) {
        (self.inChannels, self.embedDim, self.patchSize) = (inChannels, embedDim, patchSize)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(inChannels: file.int("in_channels"), embedDim: file.int("embed_dim"),
                      patchSize: file.int("patch_size"))
    }

    public var fileArguments: [(key: String, value: LayerValue)] {
        [("in_channels", .int(inChannels)), ("embed_dim", .int(embedDim)), ("patch_size", .int(patchSize))]
    }

    public var name: String { "patch_embed(\(inChannels)->\(embedDim), \(patchSize)x\(patchSize))" }
    public var summary: String { "patch_embed \(patchSize)x\(patchSize) \(inChannels)→\(embedDim)" }

    var conv: Conv2DLayer {
        Conv2DLayer(inChannels: inChannels, outChannels: embedDim, kernelSize: patchSize, stride: patchSize)
    }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        guard inChannels > 0, embedDim > 0, patchSize > 0 else { throw LayerShapeError("sizes must be positive") }
        guard input.count == 3 else { throw LayerShapeError("expects a [channels, height, width] input") }
        guard input[1] % patchSize == 0, input[2] % patchSize == 0 else {
            throw LayerShapeError("\(patchSize)x\(patchSize) patches do not tile a \(input[1])x\(input[2]) image")
        }
        let grid = try conv.outputShape(for: input)
        return [grid[1] * grid[2], embedDim]
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        let p = conv.initialParameters(input: input, rng: &rng)
        return LayerParameters([.init("proj.weight", p.required("weight")), .init("proj.bias", p.required("bias"))])
    }

    public func flops(input: [Int], output: [Int]) -> Int { 2 * output[0] * embedDim * inChannels * patchSize * patchSize }

    func convContext(_ context: LayerContext) -> LayerContext {
        var inner = context
        inner.fusesNext = false
        inner.fusedSaved = nil
        return inner
    }

    func convParameters(_ parameters: LayerParameters) -> LayerParameters {
        LayerParameters(weight: parameters.required("proj.weight"), bias: parameters.required("proj.bias"))
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        let y = conv.forward(x, parameters: convParameters(parameters), context: convContext(context))
        let t = context.output[0]
        return Tokens.swapLastTwo(y, batch: context.batch, embedDim, t, shape: [context.batch, t, embedDim])
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        (forward(x, parameters: parameters, context: context), x)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let t = context.output[0]
        let side = context.input[1] / patchSize, across = context.input[2] / patchSize
        let dMap = Tokens.swapLastTwo(dy, batch: context.batch, t, embedDim,
                                      shape: [context.batch, embedDim, side, across])
        let g = conv.backward(dMap, saved: saved, parameters: convParameters(parameters), context: convContext(context))
        return (g.input, LayerParameters([.init("proj.weight", g.parameters.required("weight")),
                                          .init("proj.bias", g.parameters.required("bias"))]))
    }
}
