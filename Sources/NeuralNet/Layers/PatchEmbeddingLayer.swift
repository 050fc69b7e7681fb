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
        return LayerParameters([.init("proj.weight", p.required("weight")), .init("proj.bias", p.required("bias"), decays: false)])
    }

    public func flops(input: [Int], output: [Int]) -> Int { 2 * output[0] * embedDim * inChannels * patchSize * patchSize }

    /// The weight `[D, C, P, P]` as the `[D, C·P·P]` matrix the patch rows multiply.
    func matrix(_ parameters: LayerParameters) -> Tensor {
        parameters.required("proj.weight").reshaped([embedDim, inChannels * patchSize * patchSize])
    }

    /// The patches as rows `[N, T, C·P·P]` (`Tokens.patches`), times the weight matrix, plus the bias.
    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        TokenRows.linear(Tokens.patches(x, patch: patchSize), weight: matrix(parameters),
                         bias: parameters.required("proj.bias"), threads: context.threads)
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        let patches = Tokens.patches(x, patch: patchSize)
        let y = TokenRows.linear(patches, weight: matrix(parameters), bias: parameters.required("proj.bias"),
                                 threads: context.threads)
        return (y, patches)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let g = TokenRows.linearBackward(input: saved as! Tensor, weight: matrix(parameters), outputGradient: dy,
                                         threads: context.threads)
        let dx = context.needsInputGradient
            ? Tokens.patchesBackward(outputGradient: g.input, imageShape: [context.batch] + context.input,
                                     patch: patchSize)
            : nil
        return (dx, LayerParameters([.init("proj.weight", g.weight.reshaped([embedDim, inChannels, patchSize, patchSize])),
                                     .init("proj.bias", g.bias)]))
    }
}
