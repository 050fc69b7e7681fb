import CKernels

/// Layer normalisation over the last dimension, as PyTorch's `LayerNorm(d)`: every row of `d` values (a token of
/// a `[B, T, D]` tensor) becomes `(x - mean) / sqrt(var + eps) * weight + bias`, with the biased variance.
///
/// Rows are split into one contiguous shard per thread (`Parallel.shards`); each row's output depends only on
/// that row, so the forward pass gives the same bits for any thread count. The backward pass sums the weight and
/// bias gradients per shard, then adds the shards' sums in shard order: its results depend only on the thread
/// count and the kernel path. The row loops are `ck_layernorm_forward` / `ck_layernorm_backward` (CKernels).
public enum LayerNorm {
    /// PyTorch's default epsilon.
    public static let defaultEpsilon: Float = 1e-5

    /// Each row's mean and reciprocal standard deviation `1 / sqrt(var + eps)`, kept for the backward pass.
    public struct Statistics: Sendable, Equatable {
        public var mean: [Float]
        public var rstd: [Float]
    }

    /// Normalises each row of `input` (any shape whose last dimension is `d`) with `weight` and `bias` of `d`
    /// values each. Returns the output (the input's shape) and the rows' statistics.
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor, eps: Float = defaultEpsilon,
                               threads: Int) -> (output: Tensor, statistics: Statistics)
    {
        let d = input.shape.last ?? 0
        precondition(d > 0 && weight.count == d && bias.count == d,
                     "layer norm shapes: input \(input.shape), weight \(weight.shape), bias \(bias.shape)")
        let rows = input.count / d
        var mean = [Float].unfilled(count: rows), rstd = [Float].unfilled(count: rows)
        let path = KernelPath.current
        let shards = Parallel.shards(count: rows, parts: threads)
        let output = Tensor(shape: input.shape) { out in
            let y = SharedPointer(out.baseAddress!)
            mean.withUnsafeMutableBufferPointer { meanBuf in
                rstd.withUnsafeMutableBufferPointer { rstdBuf in
                    input.scalars.withUnsafeBufferPointer { xBuf in
                        weight.scalars.withUnsafeBufferPointer { wBuf in
                            bias.scalars.withUnsafeBufferPointer { bBuf in
                                let x = SharedReadPointer(xBuf.baseAddress!), w = SharedReadPointer(wBuf.baseAddress!)
                                let b = SharedReadPointer(bBuf.baseAddress!)
                                let mu = SharedPointer(meanBuf.baseAddress!), rs = SharedPointer(rstdBuf.baseAddress!)
                                Parallel.run(shards.count) { s in
                                    let r = shards[s]
                                    ck_layernorm_forward(path.code, x[r.lowerBound * d], w.base, b.base, r.count, d, eps,
                                                         y[r.lowerBound * d], mu[r.lowerBound], rs[r.lowerBound])
                                }
                            }
                        }
                    }
                }
            }
        }
        return (output, Statistics(mean: mean, rstd: rstd))
    }

    /// Gradients with respect to the input (its shape), the weight and the bias (`[d]` each), given the forward
    /// pass's input, weight and statistics and the gradient of its output.
    public static func backward(input: Tensor, weight: Tensor, statistics: Statistics, outputGradient: Tensor,
                                threads: Int) -> (input: Tensor, weight: Tensor, bias: Tensor)
    {
        let d = input.shape.last ?? 0
        let rows = d > 0 ? input.count / d : 0
        precondition(d > 0 && weight.count == d && outputGradient.shape == input.shape
                     && statistics.mean.count == rows && statistics.rstd.count == rows,
                     "layer norm gradient shapes: input \(input.shape), weight \(weight.shape), "
                         + "output gradient \(outputGradient.shape), \(statistics.mean.count) rows of statistics")
        let path = KernelPath.current
        let shards = Parallel.shards(count: rows, parts: threads)
        // Per shard: d weight-gradient sums, then d bias-gradient sums.
        var partial = [Float](repeating: 0, count: max(shards.count, 1) * 2 * d)
        let dx = Tensor(shape: input.shape) { out in
            let dxp = SharedPointer(out.baseAddress!)
            partial.withUnsafeMutableBufferPointer { sumBuf in
                input.scalars.withUnsafeBufferPointer { xBuf in
                    weight.scalars.withUnsafeBufferPointer { wBuf in
                        outputGradient.scalars.withUnsafeBufferPointer { dyBuf in
                            statistics.mean.withUnsafeBufferPointer { meanBuf in
                                statistics.rstd.withUnsafeBufferPointer { rstdBuf in
                                    guard rows > 0 else { return }
                                    let x = SharedReadPointer(xBuf.baseAddress!), w = SharedReadPointer(wBuf.baseAddress!)
                                    let dy = SharedReadPointer(dyBuf.baseAddress!)
                                    let mu = SharedReadPointer(meanBuf.baseAddress!)
                                    let rs = SharedReadPointer(rstdBuf.baseAddress!)
                                    let sums = SharedPointer(sumBuf.baseAddress!)
                                    Parallel.run(shards.count) { s in
                                        let r = shards[s], o = r.lowerBound
                                        ck_layernorm_backward(path.code, x[o * d], w.base, mu[o], rs[o], dy[o * d], r.count, d,
                                                              dxp[o * d], sums[s * 2 * d], sums[s * 2 * d + d])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var dw = Array(partial[0..<d]), db = Array(partial[d..<(2 * d)])
        for s in 1..<max(shards.count, 1) {
            for j in 0..<d {
                dw[j] += partial[s * 2 * d + j]
                db[j] += partial[s * 2 * d + d + j]
            }
        }
        return (dx, Tensor(shape: weight.shape, scalars: dw), Tensor(shape: weight.shape, scalars: db))
    }
}
