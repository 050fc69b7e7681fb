import Dispatch

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

    /// The fastest time of one kernel call, and the elements (rows times width) it processed per second.
    public struct Timing: Sendable {
        public let kernel: String
        public let milliseconds: Double
        public let elementsPerSecond: Double
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

        func time(_ name: String, elements: Int, _ body: () -> Void) -> Timing {
            body()  // warm-up: first-touch pages, OpenBLAS buffers
            var best = UInt64.max
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                body()
                best = min(best, DispatchTime.now().uptimeNanoseconds - start)
            }
            let seconds = Double(best) / 1e9
            return Timing(kernel: name, milliseconds: seconds * 1e3, elementsPerSecond: Double(elements) / seconds)
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
        ]
    }
}
