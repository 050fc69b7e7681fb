#if canImport(Glibc)
import Glibc
#endif

/// Elementwise activations and their derivatives.
public enum Activation {
    public static func reluForward(_ x: Tensor) -> Tensor {
        x.scalars.withUnsafeBufferPointer { src in
            Tensor(shape: x.shape) { dst in
                for i in 0..<src.count { dst[i] = max(src[i], 0) }
            }
        }
    }

    /// ReLU on a tensor the caller owns (evaluation passes keep no copy of the input).
    public static func reluInPlace(_ x: inout Tensor) {
        x.scalars.withUnsafeMutableBufferPointer { v in
            for i in 0..<v.count { v[i] = max(v[i], 0) }
        }
    }

    /// `dx = dy` where the forward output was positive, else 0 (PyTorch's convention at exactly 0).
    public static func reluBackward(output: Tensor, outputGradient: Tensor) -> Tensor {
        output.scalars.withUnsafeBufferPointer { y in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                Tensor(shape: output.shape) { dx in
                    for i in 0..<y.count { dx[i] = y[i] > 0 ? dy[i] : 0 }
                }
            }
        }
    }

    /// Exact GELU, `x * Phi(x)`, as PyTorch's default `GELU()`.
    public static func geluForward(_ x: Tensor) -> Tensor {
        x.scalars.withUnsafeBufferPointer { src in
            Tensor(shape: x.shape) { dst in
                for i in 0..<src.count {
                    let v = src[i]
                    dst[i] = 0.5 * v * (1 + erff(v * 0.70710678118654752))
                }
            }
        }
    }

    /// `d/dx [x Phi(x)] = Phi(x) + x phi(x)`.
    public static func geluBackward(input: Tensor, outputGradient: Tensor) -> Tensor {
        input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                Tensor(shape: input.shape) { dx in
                    for i in 0..<x.count {
                        let v = x[i]
                        let cdf = 0.5 * (1 + erff(v * 0.70710678118654752))
                        let pdf = 0.39894228040143268 * expf(-0.5 * v * v)
                        dx[i] = dy[i] * (cdf + v * pdf)
                    }
                }
            }
        }
    }
}
