#if canImport(Glibc)
import Glibc
#endif

/// Straightforward Double versions of the transformer kernels' forward passes: the oracle the tests compare
/// `LayerNorm`, `Activation.gelu*`, `Attention` and `Tokens` against, and differentiate by central differences
/// to check their backward passes. Slow by design; never used for training.
extension Reference {
    /// Layer norm of `rows` rows of `d` values each (biased variance).
    public static func layerNorm(_ x: [Double], d: Int, weight: [Double], bias: [Double], eps: Double) -> [Double] {
        var y = [Double](repeating: 0, count: x.count)
        for r in 0..<(x.count / d) {
            let row = x[(r * d)..<((r + 1) * d)]
            let mean = row.reduce(0, +) / Double(d)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d)
            for j in 0..<d { y[r * d + j] = (x[r * d + j] - mean) / (variance + eps).squareRoot() * weight[j] + bias[j] }
        }
        return y
    }

    /// `x * Phi(x) = x / 2 * (1 + erf(x / sqrt 2))`.
    public static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }

    /// Self-attention of `[batch, tokens, 3 * dim]` query-key-value rows with `heads` heads: `[batch, tokens, dim]`.
    public static func attention(qkv: [Double], batch: Int, tokens t: Int, dim d: Int, heads: Int) -> [Double] {
        let hd = d / heads, scale = 1 / Double(hd).squareRoot()
        var out = [Double](repeating: 0, count: batch * t * d)
        for n in 0..<batch {
            for h in 0..<heads {
                func at(_ token: Int, _ part: Int, _ c: Int) -> Double { qkv[(n * t + token) * 3 * d + part * d + h * hd + c] }
                for i in 0..<t {
                    var scores = (0..<t).map { j in (0..<hd).reduce(0.0) { $0 + at(i, 0, $1) * at(j, 1, $1) } * scale }
                    let top = scores.max()!
                    scores = scores.map { exp($0 - top) }
                    let total = scores.reduce(0, +)
                    for c in 0..<hd {
                        out[(n * t + i) * d + h * hd + c] = (0..<t).reduce(0.0) { $0 + scores[$1] / total * at($1, 2, c) }
                    }
                }
            }
        }
        return out
    }
}
