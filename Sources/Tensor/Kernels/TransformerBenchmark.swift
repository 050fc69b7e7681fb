import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Times the transformer kernels on the shapes of a small Vision Transformer's encoder block: the best of
/// `repetitions` calls each (the machine may be shared, so the minimum is the least disturbed figure).
public enum TransformerBenchmark {
    /// One encoder block's activations: `batch` samples of `tokens` tokens of width `dim`, `heads` heads, an MLP
    /// hidden width of `hidden`.
    public struct Shape: Sendable, CustomStringConvertible {
        public var batch: Int, tokens: Int, dim: Int, heads: Int, hidden: Int
        public init(batch: Int, tokens: Int, dim: Int, heads: Int, hidden: Int) {
            (self.batch, self.tokens, self.dim, self.heads, self.hidden) = (batch, tokens, dim, heads, hidden)
        }
        public var description: String { "B=\(batch) T=\(tokens) D=\(dim) H=\(heads) MLP=\(hidden)" }
    }

    /// The fastest wall time of one kernel call, the elements (rows times width) it processed per second at that
    /// speed, and the process's CPU time (user + system, all threads) per call averaged over the repetitions:
    /// on a loaded machine the wall time of calls longer than a scheduler slice includes waiting for a core,
    /// the CPU time does not.
    public struct Timing: Sendable {
        public let kernel: String
        public let milliseconds: Double
        public let elementsPerSecond: Double
        public let cpuMilliseconds: Double
    }

    /// ViT-on-MNIST shapes: patch 7 (16 patches and a class token) and patch 4 (49 and one), widths 64 and 96.
    public static let defaultShapes: [Shape] = [
        Shape(batch: 128, tokens: 17, dim: 64, heads: 4, hidden: 128),
        Shape(batch: 128, tokens: 17, dim: 96, heads: 4, hidden: 192),
        Shape(batch: 128, tokens: 50, dim: 64, heads: 4, hidden: 128),
        Shape(batch: 128, tokens: 50, dim: 96, heads: 4, hidden: 192),
        Shape(batch: 128, tokens: 65, dim: 96, heads: 4, hidden: 192),
    ]

    public static func run(_ s: Shape, threads: Int, repetitions: Int = 20) -> [Timing] {
        func random(_ shape: [Int], seed: UInt64) -> Tensor {
            var rng = SeededGenerator(seed: seed)
            return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() * 2 - 1 })
        }
        let rows = s.batch * s.tokens
        let x = random([s.batch, s.tokens, s.dim], seed: 1), w = random([s.dim], seed: 2), b = random([s.dim], seed: 3)
        let qkv = random([s.batch, s.tokens, 3 * s.dim], seed: 4)
        let hidden = random([s.batch, s.tokens, s.hidden], seed: 5)
        let dHidden = random([s.batch, s.tokens, s.hidden], seed: 6)
        let qkvWeight = random([3 * s.dim, s.dim], seed: 7), qkvBias = random([3 * s.dim], seed: 8)
        let (_, stats) = LayerNorm.forward(x, weight: w, bias: b, threads: threads)
        let (_, probabilities) = Attention.forward(qkv: qkv, heads: s.heads, threads: threads)
        let flatX = x.reshaped([rows, s.dim]), dQKV = qkv.reshaped([rows, 3 * s.dim])
        let block = BlockWeights(s)

        func time(_ name: String, elements: Int, _ body: () -> Void) -> Timing {
            body()  // warm-up: first-touch pages, OpenBLAS buffers
            var best = UInt64.max
            let cpuStart = cpuSeconds()
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                best = min(best, DispatchTime.now().uptimeNanoseconds - start)
            }
            let cpu = (cpuSeconds() - cpuStart) / Double(repetitions)
            let seconds = Double(best) / 1e9
            return Timing(kernel: name, milliseconds: seconds * 1e3, elementsPerSecond: Double(elements) / seconds,
                          cpuMilliseconds: cpu * 1e3)
        }
        // The kernels write through pointers and call OpenBLAS and Dispatch: none of the calls can be dropped.
        return [
            time("layernorm forward", elements: x.count) {
                _ = LayerNorm.forward(x, weight: w, bias: b, threads: threads).output
            },
            time("layernorm backward", elements: x.count) {
                _ = LayerNorm.backward(input: x, weight: w, statistics: stats, outputGradient: x, threads: threads)
            },
            time("gelu forward", elements: hidden.count) {
                _ = Activation.geluForward(hidden, threads: threads)
            },
            time("gelu backward", elements: hidden.count) {
                _ = Activation.geluBackward(input: hidden, outputGradient: dHidden, threads: threads)
            },
            time("attention forward", elements: x.count) {
                _ = Attention.forward(qkv: qkv, heads: s.heads, threads: threads).output
            },
            time("attention backward", elements: x.count) {
                _ = Attention.backward(qkv: qkv, probabilities: probabilities, outputGradient: x, heads: s.heads,
                                           threads: threads)
            },
            time("qkv linear forward", elements: qkv.count) {
                _ = Linear.forward(flatX, weight: qkvWeight, bias: qkvBias, threads: threads)
            },
            time("qkv linear backward", elements: qkv.count) {
                _ = Linear.backward(input: flatX, weight: qkvWeight, outputGradient: dQKV, inputGradient: true,
                                        threads: threads)
            },
            time("encoder block fwd+bwd", elements: x.count) { encoderBlock(x, s, block, threads: threads) },
        ]
    }

    /// User + system CPU time of the process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The weights of one encoder block (norms at their initial 1 and 0).
    struct BlockWeights {
        let ones: Tensor, zeros: Tensor
        let wQKV: Tensor, bQKV: Tensor, wProj: Tensor, bProj: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor
        init(_ s: Shape) {
            func weight(_ rows: Int, _ columns: Int, _ seed: UInt64) -> Tensor {
                var rng = SeededGenerator(seed: seed)
                return Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in rng.nextUnitFloat() * 0.2 - 0.1 })
            }
            (ones, zeros) = (Tensor(repeating: 1, shape: [s.dim]), Tensor(zeros: [s.dim]))
            (wQKV, bQKV) = (weight(3 * s.dim, s.dim, 11), Tensor(zeros: [3 * s.dim]))
            (wProj, bProj) = (weight(s.dim, s.dim, 12), Tensor(zeros: [s.dim]))
            (w1, b1) = (weight(s.hidden, s.dim, 13), Tensor(zeros: [s.hidden]))
            (w2, b2) = (weight(s.dim, s.hidden, 14), Tensor(zeros: [s.dim]))
        }
    }

    /// One pre-norm encoder block, forward and backward, as a ViT layer would chain the kernels (without dropout
    /// and the optimizer): `x + proj(attn(qkv(norm1 x)))`, then `+ fc2(gelu(fc1(norm2 ·)))`.
    static func encoderBlock(_ x: Tensor, _ s: Shape, _ b: BlockWeights, threads: Int) {
        let (rows, d) = (s.batch * s.tokens, s.dim)
        let (ones, zeros) = (b.ones, b.zeros)
        let (wQKV, bQKV, wProj, bProj, w1, b1, w2, b2) = (b.wQKV, b.bQKV, b.wProj, b.bProj, b.w1, b.b1, b.w2, b.b2)
        // Forward.
        let (n1, stats1) = LayerNorm.forward(x, weight: ones, bias: zeros, threads: threads)
        let n1Rows = n1.reshaped([rows, d])
        let qkv = Linear.forward(n1Rows, weight: wQKV, bias: bQKV, threads: threads).reshaped([s.batch, s.tokens, 3 * d])
        let (attended, probabilities) = Attention.forward(qkv: qkv, heads: s.heads, threads: threads)
        let attendedRows = attended.reshaped([rows, d])
        var x1 = Linear.forward(attendedRows, weight: wProj, bias: bProj, threads: threads).reshaped(x.shape)
        Tokens.addInPlace(&x1, x)
        let (n2, stats2) = LayerNorm.forward(x1, weight: ones, bias: zeros, threads: threads)
        let n2Rows = n2.reshaped([rows, d])
        let h = Linear.forward(n2Rows, weight: w1, bias: b1, threads: threads)
        let g = Activation.geluForward(h, threads: threads)
        var y = Linear.forward(g, weight: w2, bias: b2, threads: threads).reshaped(x.shape)
        Tokens.addInPlace(&y, x1)
        // Backward from dy = y (any gradient of the right shape).
        let dy = y.reshaped([rows, d])
        let fc2 = Linear.backward(input: g, weight: w2, outputGradient: dy, inputGradient: true, threads: threads)
        let dh = Activation.geluBackward(input: h, outputGradient: fc2.input!, threads: threads)
        let fc1 = Linear.backward(input: n2Rows, weight: w1, outputGradient: dh, inputGradient: true, threads: threads)
        var dx1 = LayerNorm.backward(input: x1, weight: ones, statistics: stats2, outputGradient: fc1.input!.reshaped(x.shape),
                                     threads: threads).input
        Tokens.addInPlace(&dx1, y)
        let proj = Linear.backward(input: attendedRows, weight: wProj, outputGradient: dx1.reshaped([rows, d]),
                                   inputGradient: true, threads: threads)
        let dqkv = Attention.backward(qkv: qkv, probabilities: probabilities, outputGradient: proj.input!.reshaped(x.shape),
                                      heads: s.heads, threads: threads)
        let qkvGrads = Linear.backward(input: n1Rows, weight: wQKV, outputGradient: dqkv.reshaped([rows, 3 * d]),
                                       inputGradient: true, threads: threads)
        var dx = LayerNorm.backward(input: x, weight: ones, statistics: stats1, outputGradient: qkvGrads.input!.reshaped(x.shape),
                                    threads: threads).input
        Tokens.addInPlace(&dx, dx1)
    }
}
