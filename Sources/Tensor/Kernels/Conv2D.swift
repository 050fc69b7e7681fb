/// 2-D convolution (cross-correlation, as PyTorch's `Conv2d`), split over images.
///
/// Stride-1 convolutions (all those of the shipped workflows and of m1/m2) run as `DirectConv`'s
/// register-blocked loops; other strides by im2col + OpenBLAS sgemm. Each shard of the batch runs on its own
/// thread with its own scratch; weight gradients are summed per shard, then the shards' sums are added in shard
/// order, so the result is fixed for a thread count.
public enum Conv2D {
    /// Images per matrix multiply: enough that the GEMM's column count reaches about 2048 even for small
    /// output planes, so OpenBLAS's packing is amortised and its kernels run on wide panels.
    static func groupSize(_ g: Conv2DGeometry) -> Int { max(1, min(g.batch, 2048 / max(g.outPlane, 1))) }

    /// `output[n, o] = bias[o] + sum_{c,i,j} weight[o, c, i, j] * input[n, c, y*s + i - p, x*s + j - p]`;
    /// with `relu`, followed by `max(0, ·)` while each group's output is still in cache.
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor, geometry g: Conv2DGeometry,
                               relu: Bool = false, threads: Int) -> Tensor {
        precondition(input.shape == g.inputShape && weight.shape == g.weightShape && bias.shape == [g.outChannels],
                     "conv2d shapes: input \(input.shape), weight \(weight.shape), bias \(bias.shape) for \(g)")
        if DirectConv.supports(g) {
            return DirectConv.forward(input, weight: weight, bias: bias, geometry: g, relu: relu, threads: threads)
        }
        let shards = Parallel.shards(count: g.batch, parts: threads)
        let group = groupSize(g)
        return Tensor(shape: g.outputShape) { out in
            let outPtr = SharedPointer(out.baseAddress!)
            input.scalars.withUnsafeBufferPointer { inBuf in
                weight.scalars.withUnsafeBufferPointer { wBuf in
                    bias.scalars.withUnsafeBufferPointer { bBuf in
                        let x = SharedReadPointer(inBuf.baseAddress!)
                        let w = SharedReadPointer(wBuf.baseAddress!)
                        let b = SharedReadPointer(bBuf.baseAddress!)
                        Parallel.run(shards.count) { s in
                            let (p, o) = (g.outPlane, g.outChannels)
                            let cols = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * group * p)
                            let product = UnsafeMutablePointer<Float>.allocate(capacity: o * group * p)
                            defer {
                                cols.deallocate()
                                product.deallocate()
                            }
                            for first in stride(from: shards[s].lowerBound, to: shards[s].upperBound, by: group) {
                                let count = min(group, shards[s].upperBound - first)
                                let ld = count * p
                                for j in 0..<count { im2col(x[(first + j) * g.inImage], g, cols + j * p, ld: ld) }
                                GEMM.multiply(transposeA: false, transposeB: false, m: o, n: ld, k: g.patchSize,
                                              a: w.base, lda: g.patchSize, b: cols, ldb: ld,
                                              beta: 0, c: product, ldc: ld)
                                for j in 0..<count {
                                    let y = outPtr[(first + j) * g.outImage]
                                    for c in 0..<o {
                                        let src = product + c * ld + j * p, dst = y + c * p, bc = b.base[c]
                                        if relu {
                                            for i in 0..<p { dst[i] = max(src[i] + bc, 0) }
                                        } else {
                                            for i in 0..<p { dst[i] = src[i] + bc }
                                        }
                                    }
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
        if DirectConv.supports(g) {
            return DirectConv.backward(input: input, weight: weight, outputGradient: outputGradient, geometry: g,
                                       reluOutput: reluOutput, inputGradient: inputGradient, threads: threads)
        }
        let shards = Parallel.shards(count: g.batch, parts: threads)
        let group = groupSize(g)
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
                            let part = SharedPointer(pBuf.baseAddress!)
                            let dx = inputGradient ? SharedPointer(dxBuf.baseAddress!) : nil
                            let x = SharedReadPointer(inBuf.baseAddress!)
                            let w = SharedReadPointer(wBuf.baseAddress!)
                            let dy = SharedReadPointer(dyBuf.baseAddress!)
                            Parallel.run(shards.count) { s in
                                let (p, o) = (g.outPlane, g.outChannels)
                                let cols = UnsafeMutablePointer<Float>.allocate(capacity: g.patchSize * group * p)
                                let grads = UnsafeMutablePointer<Float>.allocate(capacity: o * group * p)
                                defer {
                                    cols.deallocate()
                                    grads.deallocate()
                                }
                                let dW = part[s * (wCount + o)]
                                let dB = dW + wCount
                                for first in stride(from: shards[s].lowerBound, to: shards[s].upperBound, by: group) {
                                    let count = min(group, shards[s].upperBound - first)
                                    let ld = count * p
                                    // Gather the group's output gradients side by side (O x count*P), masked
                                    // by the fused ReLU.
                                    for j in 0..<count {
                                        let src = dy[(first + j) * g.outImage]
                                        if let mask {
                                            let y = mask[(first + j) * g.outImage]
                                            for c in 0..<o {
                                                let d = grads + c * ld + j * p
                                                for i in 0..<p { d[i] = y[c * p + i] > 0 ? src[c * p + i] : 0 }
                                            }
                                        } else {
                                            for c in 0..<o { (grads + c * ld + j * p).update(from: src + c * p, count: p) }
                                        }
                                        im2col(x[(first + j) * g.inImage], g, cols + j * p, ld: ld)
                                    }
                                    // dW += dY (O x L) * cols^T (L x K)
                                    GEMM.multiply(transposeA: false, transposeB: true,
                                                  m: o, n: g.patchSize, k: ld,
                                                  a: grads, lda: ld, b: cols, ldb: ld,
                                                  beta: 1, c: dW, ldc: g.patchSize)
                                    for c in 0..<o { dB[c] += planeSum(grads + c * ld, ld) }
                                    if let dx {
                                        // dCols (K x L) = W^T (K x O) * dY (O x L), then scattered back.
                                        GEMM.multiply(transposeA: true, transposeB: false,
                                                      m: g.patchSize, n: ld, k: o,
                                                      a: w.base, lda: g.patchSize, b: grads, ldb: ld,
                                                      beta: 0, c: cols, ldc: ld)
                                        for j in 0..<count { col2im(cols + j * p, g, dx[(first + j) * g.inImage], ld: ld) }
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
            acc += (p + i).loadVector()
            i += 8
        }
        var total = acc.sum()
        while i < n {
            total += p[i]
            i += 1
        }
        return total
    }

    /// Unrolls one image (C x H x W) into a (C*k*k) x (OH*OW) block of a matrix whose rows are `ld` apart;
    /// out-of-image taps read as zero.
    static func im2col(_ image: UnsafePointer<Float>, _ g: Conv2DGeometry, _ cols: UnsafeMutablePointer<Float>,
                       ld: Int) {
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
                    row += ld
                }
            }
        }
    }

    /// Adds a (C*k*k) x (OH*OW) column block (rows `ld` apart) back into an image gradient (the adjoint of
    /// `im2col`).
    static func col2im(_ cols: UnsafePointer<Float>, _ g: Conv2DGeometry, _ image: UnsafeMutablePointer<Float>,
                       ld: Int) {
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
                    row += ld
                }
            }
        }
    }
}
