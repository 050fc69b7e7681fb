import StepDSL
import Tensor

/// timm's `Attention`: multi-head scaled dot-product self-attention over tokens `[T, D]`. One fused projection
/// `qkv` (`[3D, D]`, `[3D]`) gives queries, keys and values, each split into `heads` heads of `D / heads` values;
/// the heads' outputs, side by side, go through `proj` (`[D, D]`, `[D]`).
public struct MultiHeadAttentionLayer: Layer {
    public static let fileTypes = ["attention"]
    public static let form = LayerForm(
        "attention", positional: [.init("num_heads", .count, what: "the head count of an attention layer",
                                        example: "attention 4")],
        usage: "attention HEADS")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [MultiHeadAttentionLayer(embedDim: input.count == 2 ? input[1] : 0, heads: line.int("num_heads")!)]
    }

    public let embedDim: Int, heads: Int

    public init(embedDim: Int, heads: Int) {
        (self.embedDim, self.heads) = (embedDim, heads)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(embedDim: file.int("embed_dim"), heads: file.int("num_heads"))
    }

    public var fileArguments: [(key: String, value: LayerValue)] {
        [("embed_dim", .int(embedDim)), ("num_heads", .int(heads))]
    }

    public var name: String { "attention(\(embedDim), \(heads) heads)" }
    public var summary: String { "attention \(embedDim), \(heads) heads" }

    static func checkTokens(_ input: [Int], dim: Int, heads: Int) throws(LayerShapeError) {
        guard input.count == 2 else { throw LayerShapeError("expects tokens [count, dim] (add patch_embed before it)") }
        guard input[1] == dim, dim > 0 else { throw LayerShapeError("expects \(dim)-value tokens (embed_dim=\(input[1]) fits)") }
        guard heads > 0, dim % heads == 0 else {
            throw LayerShapeError("\(heads) heads do not divide the token size \(dim)")
        }
    }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        try Self.checkTokens(input, dim: embedDim, heads: heads)
        return input
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        Self.initial(dim: embedDim, rng: &rng)
    }

    /// `qkv` then `proj`, each as `nn.Linear` initialises it.
    static func initial(dim d: Int, rng: inout SeededGenerator) -> LayerParameters {
        let qkv = DenseLayer(inFeatures: d, outFeatures: 3 * d).initialParameters(input: [d], rng: &rng)
        let proj = DenseLayer(inFeatures: d, outFeatures: d).initialParameters(input: [d], rng: &rng)
        return (qkv.prefixed("qkv.") + proj.prefixed("proj.")).decayingMatricesOnly()
    }

    /// Per image: the two projections (2·T·D·3D + 2·T·D·D) and the two attention products (2 · 2·T·T·D).
    static func flops(tokens t: Int, dim d: Int) -> Int { 2 * t * d * 3 * d + 2 * t * d * d + 4 * t * t * d }
    public func flops(input: [Int], output: [Int]) -> Int { Self.flops(tokens: input[0], dim: embedDim) }

    struct Saved: Sendable {
        var input: Tensor
        var qkv: Tensor
        var probabilities: Tensor
        var heads: Tensor
    }

    /// The attention of `x` (`[N, T, D]`) with the parameters named `qkv.*` and `proj.*` in `p`.
    static func attend(_ x: Tensor, _ p: LayerParameters, heads: Int, threads: Int) -> (output: Tensor, saved: Saved) {
        let qkv = TokenRows.linear(x, weight: p.required("qkv.weight"), bias: p.required("qkv.bias"), threads: threads)
        let (a, probabilities) = Attention.forward(qkv: qkv, heads: heads, threads: threads)
        let y = TokenRows.linear(a, weight: p.required("proj.weight"), bias: p.required("proj.bias"), threads: threads)
        return (y, Saved(input: x, qkv: qkv, probabilities: probabilities, heads: a))
    }

    /// The gradient of `attend`'s input and of its four parameters (named as in `p`).
    static func attendBackward(_ dy: Tensor, _ saved: Saved, _ p: LayerParameters, heads: Int, threads: Int)
        -> (input: Tensor, parameters: LayerParameters) {
        let proj = TokenRows.linearBackward(input: saved.heads, weight: p.required("proj.weight"), outputGradient: dy,
                                            threads: threads)
        let dQKV = Attention.backward(qkv: saved.qkv, probabilities: saved.probabilities, outputGradient: proj.input,
                                      heads: heads, threads: threads)
        let qkv = TokenRows.linearBackward(input: saved.input, weight: p.required("qkv.weight"), outputGradient: dQKV,
                                           threads: threads)
        return (qkv.input, LayerParameters(weight: qkv.weight, bias: qkv.bias).prefixed("qkv.")
                    + LayerParameters(weight: proj.weight, bias: proj.bias).prefixed("proj."))
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        Self.attend(x, parameters, heads: heads, threads: context.threads).output
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        let (y, saved) = Self.attend(x, parameters, heads: heads, threads: context.threads)
        return (y, saved)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let g = Self.attendBackward(dy, saved as! Saved, parameters, heads: heads, threads: context.threads)
        return (g.input, g.parameters)
    }
}

/// `nn.Linear` applied to every token of `[N, T, D]`: the tokens as `N·T` rows.
enum TokenRows {
    static func linear(_ x: Tensor, weight: Tensor, bias: Tensor, threads: Int) -> Tensor {
        let rows = x.count / x.shape.last!
        let y = Linear.forward(x.reshaped([rows, x.shape.last!]), weight: weight, bias: bias, threads: threads)
        return y.reshaped(Array(x.shape.dropLast()) + [weight.shape[0]])
    }

    static func linearBackward(input: Tensor, weight: Tensor, outputGradient: Tensor, threads: Int)
        -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let inF = input.shape.last!, outF = weight.shape[0]
        let rows = input.count / inF
        let g = Linear.backward(input: input.reshaped([rows, inF]), weight: weight,
                                outputGradient: outputGradient.reshaped([rows, outF]), inputGradient: true,
                                threads: threads)
        return (g.input!.reshaped(input.shape), g.weight, g.bias)
    }
}
