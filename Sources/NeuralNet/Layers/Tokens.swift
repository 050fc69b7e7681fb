import Tensor

/// Layout changes between images and tokens, shared by the transformer layers.
enum Tokens {
    /// `[N, A, B]` to `[N, B, A]` (channels-first feature maps to tokens and back).
    static func swapLastTwo(_ x: Tensor, batch n: Int, _ a: Int, _ b: Int, shape: [Int]) -> Tensor {
        precondition(x.count == n * a * b, "\(x.shape) is not \(n)x\(a)x\(b)")
        var out = [Float].unfilled(count: x.count)
        x.scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for image in 0..<n {
                    let base = image * a * b
                    for i in 0..<a {
                        for j in 0..<b { dst[base + j * a + i] = src[base + i * b + j] }
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Normal values with standard deviation `std`: timm's `trunc_normal_(std=.02)` cuts at ±2, a hundred
    /// deviations out, so for these deviations a plain normal draw is the same distribution.
    static func normal(_ shape: [Int], std: Float, rng: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.nextNormal() * std })
    }
}
