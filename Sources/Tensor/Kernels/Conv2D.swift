/// 2-D convolution (cross-correlation, as PyTorch's `Conv2d`) by im2col + OpenBLAS sgemm, split over images.
///
/// Each shard of the batch runs on its own thread with its own im2col scratch; weight gradients are summed
/// per shard, then the shards' sums are added in shard order, so the result is fixed for a thread count.
public enum Conv2D {
    /// `output[n, o] = bias[o] + sum_{c,i,j} weight[o, c, i, j] * input[n, c, y*s + i - p, x*s + j - p]`;
    /// with `relu`, followed by `max(0, ·)` while each image's output is still in cache.
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor, geometry g: Conv2DGeometry,
                               relu: Bool = false, threads: Int) -> Tensor {
        precondition(input.shape == g.inputShape && weight.shape == g.weightShape && bias.shape == [g.outChannels],
                     "conv2d shapes: input \(input.shape), weight \(weight.shape), bias \(bias.shape) for \(g)")
        let shards = Parallel.shards(count: g.batch, parts: threads)
        return Tensor(shape: g.outputShape) { out in
            let outPtr = SharedPointer(out.baseAddress!)
            input.scalars.withUnsafeBufferPointer { inBuf in
                weight.scalars.withUnsafeBufferPointer { wBuf in
                    bias.scalars.withUnsafeBufferPointer { bBuf in
                        let x = SharedReadPointer(inBuf.baseAddress!)
                        let w = SharedReadPointer(wBuf.baseAddress!)
                        let b = SharedReadPointer(bBuf.baseAddress!)
                        Parallel.run(shards.count) { s in
                            let cols = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outPlane)
                            defer { cols.deallocate() }
                            for n in shards[s] {
                                let y = outPtr[n * g.outImage]
                                im2col(x[n * g.inImage], g, cols)
                                for o in 0..<g.outChannels {
                                    (y + o * g.outPlane).update(repeating: b.base[o], count: g.outPlane)
                                }
                                GEMM.multiply(transposeA: false, transposeB: false,
                                              m: g.outChannels, n: g.outPlane, k: g.patchSize,
                                              a: w.base, lda: g.patchSize, b: cols, ldb: g.outPlane,
                                              beta: 1, c: y, ldc: g.outPlane)
                                if relu {
                                    for i in 0..<g.outImage { y[i] = max(y[i], 0) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Gradients of a convolution given the gradient of its output. The input gradient is skipped (nil) when
    /// `inputGradient` is false: the first layer of a network does not need it. With `reluOutput` (the output
    /// of a ReLU fused into the forward pass), `outputGradient` is the gradient of that ReLU's output and is
    /// masked here first.
    public static func backward(input: Tensor, weight: Tensor, outputGradient: Tensor, geometry g: Conv2DGeometry,
                                reluOutput: Tensor? = nil, inputGradient: Bool, threads: Int)
        -> (input: Tensor?, weight: Tensor, bias: Tensor)
    {
        precondition(input.shape == g.inputShape && weight.shape == g.weightShape
                     && outputGradient.shape == g.outputShape)
        let shards = Parallel.shards(count: g.batch, parts: threads)
        let wCount = g.outChannels * g.patchSize
        // Per shard: weight gradient then bias gradient, reduced in shard order below.
        var partial = [Float](repeating: 0, count: shards.count * (wCount + g.outChannels))
        var dInput = inputGradient ? [Float](repeating: 0, count: input.count) : []
        partial.withUnsafeMutableBufferPointer { pBuf in
            dInput.withUnsafeMutableBufferPointer { dxBuf in
                input.scalars.withUnsafeBufferPointer { inBuf in
                    weight.scalars.withUnsafeBufferPointer { wBuf in
                        outputGradient.scalars.withUnsafeBufferPointer { dyBuf in
                          (reluOutput?.scalars ?? []).withUnsafeBufferPointer { maskBuf in
                            let mask = reluOutput != nil ? SharedReadPointer(maskBuf.baseAddress!) : nil
                            let p = SharedPointer(pBuf.baseAddress!)
                            let dx = inputGradient ? SharedPointer(dxBuf.baseAddress!) : nil
                            let x = SharedReadPointer(inBuf.baseAddress!)
                            let w = SharedReadPointer(wBuf.baseAddress!)
                            let dy = SharedReadPointer(dyBuf.baseAddress!)
                            Parallel.run(shards.count) { s in
                                let cols = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * g.outPlane)
                                let masked = UnsafeMutablePointer<Float>.allocate(capacity: g.outImage)
                                defer {
                                    cols.deallocate()
                                    masked.deallocate()
                                }
                                let dW = p[s * (wCount + g.outChannels)]
                                let dB = dW + wCount
                                for n in shards[s] {
                                    var dyn = dy[n * g.outImage]
                                    if let mask {
                                        let y = mask[n * g.outImage]
                                        for i in 0..<g.outImage { masked[i] = y[i] > 0 ? dyn[i] : 0 }
                                        dyn = UnsafePointer(masked)
                                    }
                                    im2col(x[n * g.inImage], g, cols)
                                    // dW += dY (O x P) * cols^T (P x K)
                                    GEMM.multiply(transposeA: false, transposeB: true,
                                                  m: g.outChannels, n: g.patchSize, k: g.outPlane,
                                                  a: dyn, lda: g.outPlane, b: cols, ldb: g.outPlane,
                                                  beta: 1, c: dW, ldc: g.patchSize)
                                    for o in 0..<g.outChannels {
                                        dB[o] += planeSum(dyn + o * g.outPlane, g.outPlane)
                                    }
                                    if let dx {
                                        // dCols (K x P) = W^T (K x O) * dY (O x P), then scattered back.
                                        GEMM.multiply(transposeA: true, transposeB: false,
                                                      m: g.patchSize, n: g.outPlane, k: g.outChannels,
                                                      a: w.base, lda: g.patchSize, b: dyn, ldb: g.outPlane,
                                                      beta: 0, c: cols, ldc: g.outPlane)
                                        col2im(cols, g, dx[n * g.inImage])
                                    }
                                }
                            }
                          }
                        }
                    }
                }
            }
        }
        var dW = [Float](repeating: 0, count: wCount)
        var dB = [Float](repeating: 0, count: g.outChannels)
        for s in 0..<shards.count {
            let base = s * (wCount + g.outChannels)
            for i in 0..<wCount { dW[i] += partial[base + i] }
            for o in 0..<g.outChannels { dB[o] += partial[base + wCount + o] }
        }
        return (inputGradient ? Tensor(shape: g.inputShape, scalars: dInput) : nil,
                Tensor(shape: g.weightShape, scalars: dW),
                Tensor(shape: [g.outChannels], scalars: dB))
    }

    @inline(__always)
    static func planeSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        // Eight independent partial sums let the loop vectorise while keeping a fixed order.
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = acc.sum()
        while i < n {
            total += p[i]
            i += 1
        }
        return total
    }

    /// Unrolls one image (C x H x W) into a (C*k*k) x (OH*OW) matrix; out-of-image taps read as zero.
    static func im2col(_ image: UnsafePointer<Float>, _ g: Conv2DGeometry, _ cols: UnsafeMutablePointer<Float>) {
        let (oh, ow, k, s, pad) = (g.outHeight, g.outWidth, g.kernel, g.stride, g.padding)
        var row = cols
        for c in 0..<g.inChannels {
            let plane = image + c * g.height * g.width
            for ki in 0..<k {
                for kj in 0..<k {
                    for y in 0..<oh {
                        let iy = y * s + ki - pad
                        let dst = row + y * ow
                        if iy < 0 || iy >= g.height {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + iy * g.width
                        if s == 1 {
                            // Valid x range: 0 <= x + kj - pad < width.
                            let lo = max(0, pad - kj), hi = min(ow, g.width + pad - kj)
                            if lo > 0 { dst.update(repeating: 0, count: lo) }
                            if hi > lo {
                                // Rows are a few dozen floats: a plain loop beats a memmove call.
                                let from = src + kj - pad
                                for x in lo..<hi { dst[x] = from[x] }
                            }
                            if hi < ow { (dst + max(hi, lo)).update(repeating: 0, count: ow - max(hi, lo)) }
                        } else {
                            for x in 0..<ow {
                                let ix = x * s + kj - pad
                                dst[x] = (ix >= 0 && ix < g.width) ? src[ix] : 0
                            }
                        }
                    }
                    row += oh * ow
                }
            }
        }
    }

    /// Adds a (C*k*k) x (OH*OW) column matrix back into an image gradient (the adjoint of `im2col`).
    static func col2im(_ cols: UnsafePointer<Float>, _ g: Conv2DGeometry, _ image: UnsafeMutablePointer<Float>) {
        let (oh, ow, k, s, pad) = (g.outHeight, g.outWidth, g.kernel, g.stride, g.padding)
        var row = cols
        for c in 0..<g.inChannels {
            let plane = image + c * g.height * g.width
            for ki in 0..<k {
                for kj in 0..<k {
                    for y in 0..<oh {
                        let iy = y * s + ki - pad
                        if iy < 0 || iy >= g.height { continue }
                        let src = row + y * ow
                        let dst = plane + iy * g.width
                        if s == 1 {
                            let lo = max(0, pad - kj), hi = min(ow, g.width + pad - kj)
                            if hi > lo {
                                let d = dst + kj - pad
                                for x in lo..<hi { d[x] += src[x] }
                            }
                        } else {
                            for x in 0..<ow {
                                let ix = x * s + kj - pad
                                if ix >= 0 && ix < g.width { dst[ix] += src[x] }
                            }
                        }
                    }
                    row += oh * ow
                }
            }
        }
    }
}
