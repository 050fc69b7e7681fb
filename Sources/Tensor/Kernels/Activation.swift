import CKernels

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

    /// Exact GELU, `x * Phi(x)` with Phi the standard normal CDF, as PyTorch's default `GELU()` (erf to within
    /// 1.5e-7, `ck_gelu_forward`). Each element's value depends only on that element, so any split gives the
    /// same bits; tensors of 32k elements or more are split across `threads`.
    public static func geluForward(_ x: Tensor, threads: Int = 1) -> Tensor {
        let path = KernelPath.current
        return x.scalars.withUnsafeBufferPointer { src in
            Tensor(shape: x.shape) { dst in
                guard src.count > 0 else { return }
                let (xp, yp) = (SharedReadPointer(src.baseAddress!), SharedPointer(dst.baseAddress!))
                let shards = elementShards(src.count, threads: threads)
                Parallel.run(shards.count) { s in
                    ck_gelu_forward(path.code, xp[shards[s].lowerBound], yp[shards[s].lowerBound], shards[s].count)
                }
            }
        }
    }

    /// `dx = dy * d/dx [x Phi(x)] = dy * (Phi(x) + x phi(x))`, given the forward pass's input.
    public static func geluBackward(input: Tensor, outputGradient: Tensor, threads: Int = 1) -> Tensor {
        precondition(input.shape == outputGradient.shape,
                     "GELU gradient shapes: input \(input.shape), output gradient \(outputGradient.shape)")
        let path = KernelPath.current
        return input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                Tensor(shape: input.shape) { dx in
                    guard x.count > 0 else { return }
                    let (xp, dyp) = (SharedReadPointer(x.baseAddress!), SharedReadPointer(dy.baseAddress!))
                    let dxp = SharedPointer(dx.baseAddress!)
                    let shards = elementShards(x.count, threads: threads)
                    Parallel.run(shards.count) { s in
                        let o = shards[s].lowerBound
                        ck_gelu_backward(path.code, xp[o], dyp[o], dxp[o], shards[s].count)
                    }
                }
            }
        }
    }

    /// Contiguous element ranges for an elementwise kernel: one per thread from 32k elements on, else one.
    static func elementShards(_ count: Int, threads: Int) -> [Range<Int>] {
        Parallel.shards(count: count, parts: count >= 1 << 15 ? threads : 1)
    }
}
