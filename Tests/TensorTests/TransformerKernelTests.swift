import Foundation
import Testing
@testable import Tensor

/// The transformer kernels (layer norm, GELU, attention, token operations) against the Double loops in
/// `Reference`, and their backward passes against central differences of those loops in Double
/// (step 1e-4, whose truncation error, about 1e-9, is far below the Float32 tolerances used).
///
/// Tolerances: the kernels compute in Float32, whose unit roundoff is 6e-8. A value summed from up to ~100
/// products of magnitude up to ~10 (layer norm rows of 96, attention over 65 tokens, gradients chained through
/// a softmax) carries an error of a few 1e-6 to 1e-5; the tests allow 1e-4 absolute plus 1e-4 relative,
/// tighter than any real bug (a wrong index or sign is off by 1e-2 or more).
struct TransformerKernelTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in (rng.nextUnitFloat() * 2 - 1) * scale })
    }

    static func doubles(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }

    /// Whether every element is within `absolute + relative * |expected|`; records the first few that are not.
    static func expectClose(_ actual: [Float], _ expected: [Double], absolute: Double = 1e-4, relative: Double = 1e-4,
                            _ what: String) {
        #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)")
        var failures = 0
        for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(Double(a) - e) <= absolute + relative * abs(e)) {
            failures += 1
            if failures <= 3 { Issue.record("\(what) [\(i)]: \(a), expected \(e)") }
        }
    }

    /// `d/dx_i sum_j weights_j f(x)_j` by central differences, for the indices `indices` of `x`.
    static func numericGradient(_ x: [Double], weights: [Double], indices: [Int], h: Double = 1e-4,
                                _ f: ([Double]) -> [Double]) -> [Double] {
        indices.map { i in
            var up = x, down = x
            up[i] += h
            down[i] -= h
            let fu = f(up), fd = f(down)
            var total = 0.0
            for j in weights.indices { total += weights[j] * (fu[j] - fd[j]) }
            return total / (2 * h)
        }
    }

    /// Every index when there are few, else about `limit` spread over the range (first and last included).
    static func sample(_ count: Int, limit: Int = 200) -> [Int] {
        count <= limit ? Array(0..<count) : Array(Set(stride(from: 0, to: count, by: count / limit) + [count - 1])).sorted()
    }
}

// MARK: - Layer norm

extension TransformerKernelTests {
    /// `[B, T, D]`: single rows, odd widths below and above a vector, the ViT's 64 and 96, a token count of 65.
    static let normShapes: [[Int]] = [[1, 1, 1], [2, 1, 3], [3, 5, 7], [2, 17, 64], [1, 65, 96], [4, 3, 33], [2, 9, 16],
                                      [1, 2, 100]]

    @Test(arguments: normShapes, [1, 2, 3])
    func layerNormForwardMatchesReference(shape: [Int], threads: Int) {
        KernelTests.onEveryPath { path in
            let d = shape.last!
            let x = Self.random(shape, seed: 1, scale: 3), w = Self.random([d], seed: 2), b = Self.random([d], seed: 3)
            let (y, stats) = LayerNorm.forward(x, weight: w, bias: b, threads: threads)
            #expect(y.shape == shape && stats.mean.count == x.count / d)
            let expected = Reference.layerNorm(Self.doubles(x), d: d, weight: Self.doubles(w), bias: Self.doubles(b), eps: 1e-5)
            Self.expectClose(y.scalars, expected, "\(path) layer norm \(shape)")
            // Rows are independent: any thread count gives the same bits.
            #expect(LayerNorm.forward(x, weight: w, bias: b, threads: 1).output == y, "\(path)")
        }
    }

    @Test(arguments: normShapes, [1, 3])
    func layerNormBackwardMatchesCentralDifferences(shape: [Int], threads: Int) {
        KernelTests.onEveryPath { path in
            let d = shape.last!
            let x = Self.random(shape, seed: 4, scale: 2), w = Self.random([d], seed: 5), b = Self.random([d], seed: 6)
            let dy = Self.random(shape, seed: 7)
            let (_, stats) = LayerNorm.forward(x, weight: w, bias: b, threads: threads)
            let grads = LayerNorm.backward(input: x, weight: w, statistics: stats, outputGradient: dy, threads: threads)
            let (xd, wd, bd, dyd) = (Self.doubles(x), Self.doubles(w), Self.doubles(b), Self.doubles(dy))
            let ix = Self.sample(x.count)
            let dx = Self.numericGradient(xd, weights: dyd, indices: ix) {
                Reference.layerNorm($0, d: d, weight: wd, bias: bd, eps: 1e-5)
            }
            // d = 1: the output is the bias whatever x is; eps makes the analytic gradient exactly 0 there too.
            Self.expectClose(ix.map { grads.input.scalars[$0] }, dx, "\(path) layer norm dx \(shape)")
            let dw = Self.numericGradient(wd, weights: dyd, indices: Array(0..<d)) {
                Reference.layerNorm(xd, d: d, weight: $0, bias: bd, eps: 1e-5)
            }
            Self.expectClose(grads.weight.scalars, dw, "\(path) layer norm dweight \(shape)")
            let db = Self.numericGradient(bd, weights: dyd, indices: Array(0..<d)) {
                Reference.layerNorm(xd, d: d, weight: wd, bias: $0, eps: 1e-5)
            }
            Self.expectClose(grads.bias.scalars, db, "\(path) layer norm dbias \(shape)")
            let again = LayerNorm.backward(input: x, weight: w, statistics: stats, outputGradient: dy, threads: threads)
            #expect(again.input == grads.input && again.weight == grads.weight && again.bias == grads.bias,
                    "\(path): not repeatable")
        }
    }

    /// Rows far from zero with a small spread (the case a one-pass variance gets wrong).
    @Test func layerNormIsAccurateForOffsetRows() {
        KernelTests.onEveryPath { path in
            var x = Self.random([3, 64], seed: 8, scale: 0.01)
            x.scalars = x.scalars.map { $0 + 1000 }
            let w = Tensor(repeating: 1, shape: [64]), b = Tensor(zeros: [64])
            let (y, _) = LayerNorm.forward(x, weight: w, bias: b, threads: 1)
            let expected = Reference.layerNorm(Self.doubles(x), d: 64, weight: Self.doubles(w), bias: Self.doubles(b), eps: 1e-5)
            // x carries 6e-5 of rounding at 1000 (one ulp); divided by a spread of 0.006 that is 1e-2 in y.
            Self.expectClose(y.scalars, expected, absolute: 2e-2, relative: 0, "\(path) offset rows")
        }
    }
}

// MARK: - GELU

extension TransformerKernelTests {
    @Test func geluMatchesErfDefinitionAndItsDerivative() {
        KernelTests.onEveryPath { path in
            // -12...12 in uneven steps, plus a partial last vector.
            let n = 4001
            let x = Tensor(shape: [n], scalars: (0..<n).map { -12 + 24 * Float($0) / Float(n - 1) + 1e-3 * Float($0 % 7) })
            let y = Activation.geluForward(x)
            let expected = x.scalars.map { Reference.gelu(Double($0)) }
            // erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26) times |x| / 2, plus Float rounding.
            Self.expectClose(y.scalars, expected, absolute: 3e-7, relative: 3e-7, "\(path) gelu")
            let dy = Self.random([n], seed: 9)
            let dx = Activation.geluBackward(input: x, outputGradient: dy)
            let numeric = x.scalars.indices.map { i in
                let v = Double(x.scalars[i]), h = 1e-5
                return Double(dy.scalars[i]) * (Reference.gelu(v + h) - Reference.gelu(v - h)) / (2 * h)
            }
            Self.expectClose(dx.scalars, numeric, absolute: 1e-6, relative: 1e-6, "\(path) gelu gradient")
        }
    }

    /// Each element's value does not depend on where the work was split.
    @Test func geluIsIndependentOfTheSplit() {
        KernelTests.onEveryPath { path in
            let x = Self.random([100_003], seed: 10, scale: 5), dy = Self.random([100_003], seed: 11)
            let one = Activation.geluForward(x, threads: 1)
            #expect(Activation.geluForward(x, threads: 2) == one && Activation.geluForward(x, threads: 3) == one, "\(path)")
            let g1 = Activation.geluBackward(input: x, outputGradient: dy, threads: 1)
            #expect(Activation.geluBackward(input: x, outputGradient: dy, threads: 3) == g1, "\(path)")
            let short = Tensor(shape: [5], scalars: Array(x.scalars[7..<12]))
            #expect(Activation.geluForward(short).scalars == Array(one.scalars[7..<12]), "\(path): tail differs")
        }
    }
}

// MARK: - Attention

extension TransformerKernelTests {
    /// `(B, T, D, H)`: one token, one head, head widths of 1 and 3, token counts 17 to 65 (patch 7 and 4 on
    /// MNIST with a class token), the ViT's widths 64 and 96.
    static let attentionShapes: [[Int]] = [[1, 1, 4, 1], [2, 5, 12, 3], [1, 7, 8, 1], [3, 17, 64, 4], [2, 65, 96, 4],
                                           [2, 33, 16, 2], [1, 20, 24, 4], [2, 50, 96, 4], [1, 9, 4, 4]]

    @Test(arguments: attentionShapes, [1, 2, 3])
    func attentionForwardMatchesReference(shape: [Int], threads: Int) {
        KernelTests.onEveryPath { path in
            let (b, t, d, h) = (shape[0], shape[1], shape[2], shape[3])
            let qkv = Self.random([b, t, 3 * d], seed: 12, scale: 2)
            let (y, p) = Attention.forward(qkv: qkv, heads: h, threads: threads)
            #expect(y.shape == [b, t, d] && p.shape == [b, h, t, t])
            let expected = Reference.attention(qkv: Self.doubles(qkv), batch: b, tokens: t, dim: d, heads: h)
            Self.expectClose(y.scalars, expected, "\(path) attention \(shape)")
            for row in 0..<(b * h * t) {
                let total = p.scalars[(row * t)..<((row + 1) * t)].reduce(0, +)
                #expect(abs(total - 1) < 1e-5, "\(path): probabilities of row \(row) sum to \(total)")
            }
            // Samples are independent: any thread count gives the same bits.
            let single = Attention.forward(qkv: qkv, heads: h, threads: 1)
            #expect(single.output == y && single.probabilities == p, "\(path)")
        }
    }

    @Test(arguments: [[1, 1, 4, 1], [2, 5, 12, 3], [1, 7, 8, 1], [2, 17, 16, 4], [1, 9, 4, 4], [1, 33, 8, 2]], [1, 2])
    func attentionBackwardMatchesCentralDifferences(shape: [Int], threads: Int) {
        KernelTests.onEveryPath { path in
            let (b, t, d, h) = (shape[0], shape[1], shape[2], shape[3])
            let qkv = Self.random([b, t, 3 * d], seed: 13, scale: 2), dy = Self.random([b, t, d], seed: 14)
            let (_, p) = Attention.forward(qkv: qkv, heads: h, threads: threads)
            let dqkv = Attention.backward(qkv: qkv, probabilities: p, outputGradient: dy, heads: h, threads: threads)
            #expect(dqkv.shape == qkv.shape)
            let indices = Self.sample(qkv.count, limit: 300)
            let numeric = Self.numericGradient(Self.doubles(qkv), weights: Self.doubles(dy), indices: indices) {
                Reference.attention(qkv: $0, batch: b, tokens: t, dim: d, heads: h)
            }
            Self.expectClose(indices.map { dqkv.scalars[$0] }, numeric, "\(path) attention d(qkv) \(shape)")
            let single = Attention.backward(qkv: qkv, probabilities: p, outputGradient: dy, heads: h, threads: 1)
            #expect(single == dqkv, "\(path): depends on the thread count")
        }
    }

    /// Scores of several hundred: the max-subtracted softmax stays finite and one-hot where one score dominates.
    @Test func attentionIsStableForLargeScores() {
        KernelTests.onEveryPath { path in
            let qkv = Self.random([2, 17, 3 * 16], seed: 15, scale: 40)
            let (y, p) = Attention.forward(qkv: qkv, heads: 2, threads: 2)
            #expect(y.scalars.allSatisfy(\.isFinite) && p.scalars.allSatisfy(\.isFinite), "\(path)")
            let expected = Reference.attention(qkv: Self.doubles(qkv), batch: 2, tokens: 17, dim: 16, heads: 2)
            Self.expectClose(y.scalars, expected, absolute: 1e-3, relative: 1e-4, "\(path) large scores")
        }
    }
}

// MARK: - Tokens

extension TransformerKernelTests {
    @Test(arguments: [([2, 1, 28, 28], 7), ([1, 3, 6, 4], 2), ([3, 2, 5, 5], 5), ([1, 1, 28, 28], 4), ([2, 1, 3, 3], 1)])
    func patchesFollowTheConvolutionWeightLayout(case c: ([Int], Int)) {
        let (shape, p) = c
        let images = Self.random(shape, seed: 16)
        let rows = Tokens.patches(images, patch: p)
        let (b, ch, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let (gy, gx) = (h / p, w / p)
        #expect(rows.shape == [b, gy * gx, ch * p * p])
        for n in 0..<b {
            for py in 0..<gy {
                for px in 0..<gx {
                    for c in 0..<ch {
                        for i in 0..<p {
                            for j in 0..<p {
                                let got = rows.scalars[((n * gy * gx) + py * gx + px) * ch * p * p + (c * p + i) * p + j]
                                #expect(got == images.scalars[((n * ch + c) * h + py * p + i) * w + px * p + j])
                            }
                        }
                    }
                }
            }
        }
        // A permutation: its gradient puts every value back.
        #expect(Tokens.patchesBackward(outputGradient: rows, imageShape: shape, patch: p) == images)
    }

    /// The patch embedding as a stride-`p` convolution, computed as patches then a dense layer.
    @Test func patchesThenLinearEqualTheStridedConvolution() {
        let g = Conv2DGeometry(batch: 2, inChannels: 1, height: 28, width: 28, outChannels: 16, kernel: 7, stride: 7)
        let x = Self.random(g.inputShape, seed: 17), w = Self.random(g.weightShape, seed: 18)
        let bias = Self.random([16], seed: 19)
        let conv = Conv2D.forward(x, weight: w, bias: bias, geometry: g, threads: 2)  // [2, 16, 4, 4]
        let rows = Tokens.patches(x, patch: 7)
        let dense = Linear.forward(rows.reshaped([2 * 16, 49]), weight: w.reshaped([16, 49]), bias: bias, threads: 2)
        for n in 0..<2 {
            for token in 0..<16 {
                for o in 0..<16 {
                    let a = dense.scalars[(n * 16 + token) * 16 + o], e = conv.scalars[(n * 16 + o) * 16 + token]
                    #expect(abs(a - e) < 1e-5 * max(1, abs(e)))
                }
            }
        }
    }

    /// Each linear token operation against its definition, and its backward pass as the adjoint:
    /// `<dy, f(x)> == <f^T(dy), x>` (for a linear map, central differences give exactly this).
    @Test func classTokenAndPositionEmbeddingAreAdjointPairs() {
        let (b, n, d) = (3, 16, 8)
        let tokens = Self.random([b, n, d], seed: 20), cls = Self.random([1, 1, d], seed: 21)
        let joined = Tokens.prependClassToken(tokens, classToken: cls)
        #expect(joined.shape == [b, n + 1, d])
        for s in 0..<b {
            #expect(Array(joined.scalars[(s * (n + 1) * d)..<((s * (n + 1) + 1) * d)]) == cls.scalars)
            #expect(Array(joined.scalars[((s * (n + 1) + 1) * d)..<((s + 1) * (n + 1) * d)])
                    == Array(tokens.scalars[(s * n * d)..<((s + 1) * n * d)]))
        }
        func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
        let dy = Self.random([b, n + 1, d], seed: 22)
        let back = Tokens.prependClassTokenBackward(outputGradient: dy, classTokenShape: [1, 1, d])
        #expect(back.tokens.shape == [b, n, d] && back.classToken.shape == [1, 1, d])
        let lhs = dot(dy.scalars, joined.scalars)
        let rhs = dot(back.tokens.scalars, tokens.scalars) + dot(back.classToken.scalars, cls.scalars)
        #expect(abs(lhs - rhs) < 1e-4 * max(1, abs(lhs)))

        let pos = Self.random([1, n + 1, d], seed: 23)
        var embedded = joined
        Tokens.addPositionEmbedding(&embedded, pos)
        for i in 0..<embedded.count { #expect(embedded.scalars[i] == joined.scalars[i] + pos.scalars[i % ((n + 1) * d)]) }
        let dpos = Tokens.positionEmbeddingGradient(outputGradient: dy, embeddingShape: [1, n + 1, d])
        #expect(dpos.shape == [1, n + 1, d])
        for i in 0..<dpos.count {
            let expected = (0..<b).reduce(Float(0)) { $0 + dy.scalars[$1 * (n + 1) * d + i] }
            #expect(dpos.scalars[i] == expected)  // summed in sample order, as here
        }

        let head = Tokens.classTokenRows(embedded)
        #expect(head.shape == [b, d])
        let dhead = Self.random([b, d], seed: 24)
        let spread = Tokens.classTokenRowsBackward(outputGradient: dhead, tokens: n + 1)
        #expect(abs(dot(dhead.scalars, head.scalars) - dot(spread.scalars, embedded.scalars)) < 1e-4)
        #expect(spread.scalars.filter { $0 != 0 }.count == b * d)

        var a = Self.random([5, 13], seed: 25)
        let before = a, c = Self.random([5, 13], seed: 26)
        Tokens.addInPlace(&a, c)
        #expect(a.scalars == zip(before.scalars, c.scalars).map { $0 + $1 })
        #expect(Tokens.sum(before, c) == a)
    }

    /// A dense layer applied to every token: `[B, T, Din]` seen as `[B * T, Din]` rows.
    @Test(arguments: [(2, 17, 64, 192), (3, 65, 96, 288), (1, 5, 7, 3)], [1, 2])
    func linearOnTokensMatchesReference(sizes: (Int, Int, Int, Int), threads: Int) throws {
        let (b, t, din, dout) = sizes
        let x = Self.random([b, t, din], seed: 27), w = Self.random([dout, din], seed: 28)
        let bias = Self.random([dout], seed: 29), dy = Self.random([b * t, dout], seed: 30)
        let rows = x.reshaped([b * t, din])
        let y = Linear.forward(rows, weight: w, bias: bias, threads: threads).reshaped([b, t, dout])
        let expected = Reference.linearForward(rows, weight: w, bias: bias)
        Self.expectClose(y.scalars, Self.doubles(expected), "linear on tokens")
        let grads = Linear.backward(input: rows, weight: w, outputGradient: dy, inputGradient: true, threads: threads)
        let slow = Reference.linearBackward(rows, weight: w, outputGradient: dy)
        Self.expectClose(try #require(grads.input).scalars, Self.doubles(slow.input), "linear on tokens dx")
        Self.expectClose(grads.weight.scalars, Self.doubles(slow.weight), relative: 1e-4, "linear on tokens dW")
        Self.expectClose(grads.bias.scalars, Self.doubles(slow.bias), "linear on tokens db")
    }
}
