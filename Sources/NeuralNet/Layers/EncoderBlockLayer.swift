import StepDSL
import Tensor

/// timm's ViT `Block`, pre-norm: `x + drop(attn(norm1(x)))`, then `x + drop(fc2(drop(gelu(fc1(norm2(x))))))`,
/// on tokens `[T, D]`. Parameters as timm names them: `norm1.*`, `attn.qkv.*`, `attn.proj.*`, `norm2.*`,
/// `mlp.fc1.*` (`[M, D]`), `mlp.fc2.*` (`[D, M]`). Dropout (the same p in the three places timm puts it) draws
/// three keys per block, in that order.
public struct EncoderBlockLayer: Layer {
    public static let fileTypes = ["encoder_block"]
    public static let form = LayerForm(
        "encoder",
        options: [.init("heads", .count, what: "the head count", example: "heads 4", default: 4),
                  .init("mlp", .count, what: "the hidden size of the MLP", example: "mlp 128"),
                  .init("dropout", .probability, what: "dropout probability", example: "dropout 0.1")],
        usage: "encoder [heads H] [mlp M] [dropout P]")

    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        let d = input.count == 2 ? input[1] : 0
        return [EncoderBlockLayer(embedDim: d, heads: line.int("heads")!, mlpDim: line.int("mlp") ?? 4 * d,
                                  dropout: Float(line.decimal("dropout") ?? 0))]
    }

    public let embedDim: Int, heads: Int, mlpDim: Int, dropout: Float

    public init(embedDim: Int, heads: Int, mlpDim: Int, dropout: Float = 0) {
        (self.embedDim, self.heads, self.mlpDim, self.dropout) = (embedDim, heads, mlpDim, dropout)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(embedDim: file.int("embed_dim"), heads: file.int("num_heads"),
                      mlpDim: file.int("mlp_hidden_dim"), dropout: file.float("drop", default: 0))
    }

    public var fileArguments: [(key: String, value: LayerValue)] {
        [("embed_dim", .int(embedDim)), ("num_heads", .int(heads)), ("mlp_hidden_dim", .int(mlpDim)),
         ("drop", .float(dropout))]
    }

    public var name: String { "encoder_block(\(embedDim), \(heads) heads, mlp \(mlpDim))" }
    public var summary: String { "encoder \(embedDim), \(heads) heads, mlp \(mlpDim)" }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        try MultiHeadAttentionLayer.checkTokens(input, dim: embedDim, heads: heads)
        guard mlpDim > 0 else { throw LayerShapeError("the MLP size must be positive") }
        guard dropout >= 0 && dropout < 1 else { throw LayerShapeError("dropout must be in [0, 1), got \(dropout)") }
        return input
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        let d = embedDim
        var p = LayerNormLayer.initial(d).prefixed("norm1.")
        p = p + MultiHeadAttentionLayer.initial(dim: d, rng: &rng).prefixed("attn.")
        p = p + LayerNormLayer.initial(d).prefixed("norm2.")
        p = p + DenseLayer(inFeatures: d, outFeatures: mlpDim).initialParameters(input: [d], rng: &rng).prefixed("mlp.fc1.")
        p = p + DenseLayer(inFeatures: mlpDim, outFeatures: d).initialParameters(input: [mlpDim], rng: &rng)
            .prefixed("mlp.fc2.")
        return p.decayingMatricesOnly()
    }

    public func flops(input: [Int], output: [Int]) -> Int {
        MultiHeadAttentionLayer.flops(tokens: input[0], dim: embedDim) + 2 * 2 * input[0] * embedDim * mlpDim
    }

    struct Saved: Sendable {
        var x: Tensor, norm1: LayerNorm.Statistics, attention: MultiHeadAttentionLayer.Saved, attentionMask: [Float]?
        var x1: Tensor, norm2: LayerNorm.Statistics, h2: Tensor, fc1: Tensor, hidden: Tensor, hiddenMask: [Float]?
        var outputMask: [Float]?
    }

    /// Both passes in one: `rng` nil is evaluation (no dropout, nothing kept).
    func run(_ x: Tensor, _ p: LayerParameters, threads: Int, rng: inout SeededGenerator?) -> (Tensor, Saved?) {
        func drop(_ t: inout Tensor) -> [Float]? {
            guard dropout > 0, rng != nil else { return nil }
            return Dropout.forward(&t, p: dropout, key: rng!.next(), threads: threads)
        }
        let (h1, s1) = LayerNorm.forward(x, weight: p.required("norm1.weight"), bias: p.required("norm1.bias"),
                                         eps: 1e-6, threads: threads)
        var (a, attention) = MultiHeadAttentionLayer.attend(h1, p.subset("attn."), heads: heads, threads: threads)
        let attentionMask = drop(&a)
        let x1 = Tokens.sum(x, a)
        let (h2, s2) = LayerNorm.forward(x1, weight: p.required("norm2.weight"), bias: p.required("norm2.bias"),
                                         eps: 1e-6, threads: threads)
        let fc1 = TokenRows.linear(h2, weight: p.required("mlp.fc1.weight"), bias: p.required("mlp.fc1.bias"),
                                   threads: threads)
        var hidden = Activation.geluForward(fc1, threads: threads)
        let hiddenMask = drop(&hidden)
        var out = TokenRows.linear(hidden, weight: p.required("mlp.fc2.weight"), bias: p.required("mlp.fc2.bias"),
                                   threads: threads)
        let outputMask = drop(&out)
        let y = Tokens.sum(x1, out)
        guard rng != nil else { return (y, nil) }
        return (y, Saved(x: x, norm1: s1, attention: attention, attentionMask: attentionMask, x1: x1, norm2: s2,
                         h2: h2, fc1: fc1, hidden: hidden, hiddenMask: hiddenMask, outputMask: outputMask))
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        var none: SeededGenerator? = nil
        return run(x, parameters, threads: context.threads, rng: &none).0
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        var generator: SeededGenerator? = rng
        let (y, saved) = run(x, parameters, threads: context.threads, rng: &generator)
        rng = generator!
        return (y, saved!)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters p: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let s = saved as! Saved
        let threads = context.threads
        // Second residual: dy reaches x1 directly and through the MLP.
        var dOut = dy
        if let mask = s.outputMask { Dropout.backward(&dOut, mask: mask) }
        let fc2 = TokenRows.linearBackward(input: s.hidden, weight: p.required("mlp.fc2.weight"), outputGradient: dOut,
                                           threads: threads)
        var dHidden = fc2.input
        if let mask = s.hiddenMask { Dropout.backward(&dHidden, mask: mask) }
        let dFc1 = Activation.geluBackward(input: s.fc1, outputGradient: dHidden, threads: threads)
        let fc1 = TokenRows.linearBackward(input: s.h2, weight: p.required("mlp.fc1.weight"), outputGradient: dFc1,
                                           threads: threads)
        let norm2 = LayerNorm.backward(input: s.x1, weight: p.required("norm2.weight"), statistics: s.norm2,
                                       outputGradient: fc1.input, threads: threads)
        let dX1 = Tokens.sum(dy, norm2.input)
        // First residual: dx1 reaches x directly and through attention.
        var dA = dX1
        if let mask = s.attentionMask { Dropout.backward(&dA, mask: mask) }
        let attention = MultiHeadAttentionLayer.attendBackward(dA, s.attention, p.subset("attn."), heads: heads,
                                                               threads: threads)
        let norm1 = LayerNorm.backward(input: s.x, weight: p.required("norm1.weight"), statistics: s.norm1,
                                       outputGradient: attention.input, threads: threads)
        let dx = Tokens.sum(dX1, norm1.input)
        let grads = LayerParameters(weight: norm1.weight, bias: norm1.bias).prefixed("norm1.")
            + attention.parameters.prefixed("attn.")
            + LayerParameters(weight: norm2.weight, bias: norm2.bias).prefixed("norm2.")
            + LayerParameters(weight: fc1.weight, bias: fc1.bias).prefixed("mlp.fc1.")
            + LayerParameters(weight: fc2.weight, bias: fc2.bias).prefixed("mlp.fc2.")
        return (dx, grads)
    }
}
