import CKernels

/// Multi-head scaled dot-product self-attention on the output of a fused query-key-value projection, as timm's
/// ViT `Attention` computes it (without the projections, which are `Linear` layers around it).
///
/// The input `qkv` is `[B, T, 3D]`: columns `0..<D` are the queries, `D..<2D` the keys, `2D..<3D` the values,
/// each split into `heads` heads of `D / heads` consecutive columns (timm's `reshape(B, T, 3, H, D/H)`). For each
/// sample and head, `P = softmax(Q K^T / sqrt(D/H))` row by row (max-subtracted), and the head's output
/// `P V` fills its `D / heads` columns of the `[B, T, D]` output (timm's `transpose(1, 2).reshape(B, T, D)`).
///
/// Samples are split into one contiguous shard per thread; every sample's numbers depend only on that sample,
/// so both passes give the same bits for any thread count (for a kernel path and OpenBLAS core). The products
/// are OpenBLAS sgemm calls per sample and head, reading the strided head columns in place; the softmax and its
/// gradient are `ck_softmax_rows` / `ck_softmax_backward_rows`.
public enum Attention {
    /// The attention output `[B, T, D]` and the attention probabilities `[B, heads, T, T]` (kept for the backward
    /// pass). `qkv` is `[B, T, 3D]` with `D` a multiple of `heads`.
    public static func forward(qkv: Tensor, heads: Int, threads: Int) -> (output: Tensor, probabilities: Tensor) {
        let (b, t, d) = dimensions(qkv, heads: heads)
        let hd = d / heads, scale = 1 / Float(hd).squareRoot()
        let path = KernelPath.current
        let shards = Parallel.shards(count: b, parts: threads)
        var probabilities = [Float].unfilled(count: b * heads * t * t)
        let output = Tensor(shape: [b, t, d]) { out in
            guard b > 0, t > 0 else { return }
            let y = SharedPointer(out.baseAddress!)
            probabilities.withUnsafeMutableBufferPointer { pBuf in
                qkv.scalars.withUnsafeBufferPointer { qkvBuf in
                    let p = SharedPointer(pBuf.baseAddress!), x = SharedReadPointer(qkvBuf.baseAddress!)
                    Parallel.run(shards.count) { s in
                        for n in shards[s] {
                            for h in 0..<heads {
                                let q = x[n * t * 3 * d + h * hd], k = q + d, v = q + 2 * d
                                let ph = p[(n * heads + h) * t * t]
                                // S = Q K^T / sqrt(hd), then the row softmax in place.
                                GEMM.multiply(transposeA: false, transposeB: true, m: t, n: t, k: hd, alpha: scale,
                                              a: q, lda: 3 * d, b: k, ldb: 3 * d, beta: 0, c: ph, ldc: t)
                                ck_softmax_rows(path.code, ph, t, t, t)
                                // O = P V into the head's columns.
                                GEMM.multiply(transposeA: false, transposeB: false, m: t, n: hd, k: t,
                                              a: ph, lda: t, b: v, ldb: 3 * d, beta: 0, c: y[n * t * d + h * hd], ldc: d)
                            }
                        }
                    }
                }
            }
        }
        return (output, Tensor(shape: [b, heads, t, t], scalars: probabilities))
    }

    /// The gradient with respect to `qkv` (`[B, T, 3D]`), given the forward pass's input and probabilities and
    /// the gradient of its output (`[B, T, D]`).
    public static func backward(qkv: Tensor, probabilities: Tensor, outputGradient: Tensor, heads: Int,
                                threads: Int) -> Tensor
    {
        let (b, t, d) = dimensions(qkv, heads: heads)
        precondition(probabilities.shape == [b, heads, t, t] && outputGradient.shape == [b, t, d],
                     "attention gradient shapes: qkv \(qkv.shape), probabilities \(probabilities.shape), "
                         + "output gradient \(outputGradient.shape) for \(heads) heads")
        let hd = d / heads, scale = 1 / Float(hd).squareRoot()
        let path = KernelPath.current
        let shards = Parallel.shards(count: b, parts: threads)
        return Tensor(shape: qkv.shape) { out in
            guard b > 0, t > 0 else { return }
            let dqkv = SharedPointer(out.baseAddress!)
            qkv.scalars.withUnsafeBufferPointer { qkvBuf in
                probabilities.scalars.withUnsafeBufferPointer { pBuf in
                    outputGradient.scalars.withUnsafeBufferPointer { dyBuf in
                        let x = SharedReadPointer(qkvBuf.baseAddress!), p = SharedReadPointer(pBuf.baseAddress!)
                        let dy = SharedReadPointer(dyBuf.baseAddress!)
                        Parallel.run(shards.count) { s in
                            let ds = UnsafeMutablePointer<Float>.allocate(capacity: t * t)
                            defer { ds.deallocate() }
                            for n in shards[s] {
                                for h in 0..<heads {
                                    let q = x[n * t * 3 * d + h * hd], k = q + d, v = q + 2 * d
                                    let dq = dqkv[n * t * 3 * d + h * hd], dk = dq + d, dv = dq + 2 * d
                                    let ph = p[(n * heads + h) * t * t], dyh = dy[n * t * d + h * hd]
                                    // dV = P^T dO
                                    GEMM.multiply(transposeA: true, transposeB: false, m: t, n: hd, k: t,
                                                  a: ph, lda: t, b: dyh, ldb: d, beta: 0, c: dv, ldc: 3 * d)
                                    // dP = dO V^T, then dS = P * (dP - rowsum(P * dP)) in place.
                                    GEMM.multiply(transposeA: false, transposeB: true, m: t, n: t, k: hd,
                                                  a: dyh, lda: d, b: v, ldb: 3 * d, beta: 0, c: ds, ldc: t)
                                    ck_softmax_backward_rows(path.code, ph, ds, t, t, t)
                                    // dQ = dS K / sqrt(hd), dK = dS^T Q / sqrt(hd)
                                    GEMM.multiply(transposeA: false, transposeB: false, m: t, n: hd, k: t, alpha: scale,
                                                  a: ds, lda: t, b: k, ldb: 3 * d, beta: 0, c: dq, ldc: 3 * d)
                                    GEMM.multiply(transposeA: true, transposeB: false, m: t, n: hd, k: t, alpha: scale,
                                                  a: ds, lda: t, b: q, ldb: 3 * d, beta: 0, c: dk, ldc: 3 * d)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `(B, T, D)` of a `[B, T, 3D]` input, checked.
    private static func dimensions(_ qkv: Tensor, heads: Int) -> (Int, Int, Int) {
        precondition(qkv.rank == 3 && qkv.shape[2] % 3 == 0 && heads > 0 && (qkv.shape[2] / 3) % heads == 0,
                     "attention input must be [B, T, 3D] with D a multiple of \(heads) heads, got \(qkv.shape)")
        return (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
    }
}
