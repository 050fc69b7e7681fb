import CKernels

/// Stride-1 convolution computed directly from the images, without an im2col matrix.
///
/// Each image is copied into a zero-padded scratch plane of `paddedHeight x paddedWidth` per channel. An output
/// row is then computed over the full padded width, so that one output plane is a single run of
/// `outHeight * paddedWidth` values ("flat" positions `y * paddedWidth + x`; the columns `x >= outWidth` are
/// discarded), and each kernel tap `(c, i, j)` reads the same run shifted by `c * plane + i * paddedWidth + j`.
/// Both the forward pass and the weight gradient become register-blocked loops of vector multiply-adds over
/// contiguous memory (`CKernels`, compiled per instruction set and picked by `KernelPath`): no unrolled matrix
/// is written, nothing is packed, and bias and ReLU are applied as each block of outputs is stored. On the
/// AVX-512 path the input gradient is the forward kernel again, run over the output gradient with transposed
/// weights (`Transposed`); on the others it is a matrix multiply (`W^T * dY`, OpenBLAS), accumulated back with
/// one contiguous add per tap over the same flat layout (`directInputGradient` says why).
///
/// The discarded columns cost `(kernel - 1) / paddedWidth` of extra arithmetic (8% for a 26-pixel-wide input).
/// Every reduction runs in a fixed order for a given batch split and kernel path, so results depend only on the
/// thread count and the path.
enum DirectConv {
    /// Output columns the forward kernel computes per call block (three vectors of 16, six of 8, twelve of 4).
    static let columnBlock = Int(CK_COLUMN_BLOCK)
    /// Output channels per register block.
    static let channelBlock = 4
    /// Flat positions are padded to whole 16-float vectors for the weight gradient on every path.
    static let positionBlock = 16

    /// Sizes of the flat, padded layout for one geometry.
    struct Layout {
        let g: Conv2DGeometry
        let paddedHeight: Int, paddedWidth: Int
        /// Floats per padded channel plane.
        let plane: Int
        /// Flat output positions per channel: `outHeight * paddedWidth`.
        let flat: Int
        /// `flat` rounded up to the forward pass's column block.
        let flatBlocks: Int
        /// `flat` rounded up to `positionBlock`: the stride between images in the gradient matrix.
        let flatVectors: Int
        /// Output channels rounded up to the channel block.
        let paddedChannels: Int
        /// Offset of each tap `(c, i, j)`, in `c, i, j` order (the order of PyTorch's weight layout).
        let taps: [Int]
        /// Floats in a padded image scratch, including slack for the reads of the last, partial blocks.
        let scratch: Int

        init(_ g: Conv2DGeometry) {
            self.g = g
            paddedHeight = g.height + 2 * g.padding
            paddedWidth = g.width + 2 * g.padding
            plane = paddedHeight * paddedWidth
            flat = g.outHeight * paddedWidth
            flatBlocks = (flat + DirectConv.columnBlock - 1) / DirectConv.columnBlock * DirectConv.columnBlock
            flatVectors = (flat + DirectConv.positionBlock - 1) / DirectConv.positionBlock * DirectConv.positionBlock
            paddedChannels = (g.outChannels + DirectConv.channelBlock - 1) / DirectConv.channelBlock
                * DirectConv.channelBlock
            var taps: [Int] = []
            taps.reserveCapacity(g.patchSize)
            for c in 0..<g.inChannels {
                for i in 0..<g.kernel {
                    for j in 0..<g.kernel { taps.append(c * paddedHeight * paddedWidth + i * paddedWidth + j) }
                }
            }
            self.taps = taps
            let lastTap = taps.last ?? 0
            scratch = max(g.inChannels * plane, lastTap + max(flatBlocks, flatVectors)) + DirectConv.positionBlock
        }

        /// Copies image `src` (C x H x W) into the interior of a zeroed padded scratch.
        func pad(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>) {
            let (h, w, p) = (g.height, g.width, g.padding)
            for c in 0..<g.inChannels {
                for y in 0..<h {
                    (dst + c * plane + (y + p) * paddedWidth + p).update(from: src + (c * h + y) * w, count: w)
                }
            }
        }
    }

    static func supports(_ g: Conv2DGeometry) -> Bool { g.stride == 1 && g.outHeight > 0 && g.outWidth > 0 }

    // MARK: Forward

    static func forward(_ input: Tensor, weight: Tensor, bias: Tensor, geometry g: Conv2DGeometry, relu: Bool,
                        threads: Int) -> Tensor {
        let layout = Layout(g)
        let packed = packWeights(weight, layout)
        // Images are split across threads; a batch smaller than the thread count (a single image to classify)
        // splits each image's channel blocks instead. Either way every output is computed the same way.
        let blockCount = layout.paddedChannels / channelBlock
        let byBlocks = g.batch < threads && blockCount > 1
        let shards = byBlocks ? Parallel.shards(count: blockCount, parts: threads)
                              : Parallel.shards(count: g.batch, parts: threads)
        let path = KernelPath.current
        return Tensor(shape: g.outputShape) { out in
            let outPtr = SharedPointer(out.baseAddress!)
            input.scalars.withUnsafeBufferPointer { inBuf in
                packed.withUnsafeBufferPointer { wBuf in
                    bias.scalars.withUnsafeBufferPointer { bBuf in
                        layout.taps.withUnsafeBufferPointer { tBuf in
                            let x = SharedReadPointer(inBuf.baseAddress!)
                            let w = SharedReadPointer(wBuf.baseAddress!)
                            let b = SharedReadPointer(bBuf.baseAddress!)
                            let taps = SharedReadPointer(tBuf.baseAddress!)
                            Parallel.run(shards.count) { s in
                                let image = UnsafeMutablePointer<Float>.allocate(capacity: layout.scratch)
                                image.initialize(repeating: 0, count: layout.scratch)
                                let block = UnsafeMutablePointer<Float>.allocate(
                                    capacity: channelBlock * layout.flatBlocks)
                                defer {
                                    image.deallocate()
                                    block.deallocate()
                                }
                                let (images, blocks) = byBlocks ? (0..<g.batch, shards[s]) : (shards[s], 0..<blockCount)
                                for n in images {
                                    layout.pad(x[n * g.inImage], into: image)
                                    forwardImage(image, layout, w.base, b.base, taps.base, block,
                                                 outPtr[n * g.outImage], blocks: blocks, relu: relu, path: path)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Weights as `[channel block][tap][4]`, zero for the padding channels of the last block.
    static func packWeights(_ weight: Tensor, _ layout: Layout) -> [Float] {
        let (o, t) = (layout.g.outChannels, layout.g.patchSize)
        var packed = [Float](repeating: 0, count: layout.paddedChannels * t)
        weight.scalars.withUnsafeBufferPointer { w in
            for oc in 0..<o {
                let (blockIndex, lane) = oc.quotientAndRemainder(dividingBy: channelBlock)
                for k in 0..<t { packed[(blockIndex * t + k) * channelBlock + lane] = w[oc * t + k] }
            }
        }
        return packed
    }

    static func forwardImage(_ image: UnsafePointer<Float>, _ layout: Layout, _ weights: UnsafePointer<Float>,
                             _ bias: UnsafePointer<Float>, _ taps: UnsafePointer<Int>,
                             _ block: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             blocks: Range<Int>, relu: Bool, path: KernelPath) {
        let g = layout.g
        let (t, ld, pw) = (g.patchSize, layout.flatBlocks, layout.paddedWidth)
        let (oh, ow, plane) = (g.outHeight, g.outWidth, g.outPlane)
        for cb in blocks {
            ck_conv_forward_block(path.code, image, taps, t, weights + cb * t * channelBlock, block, ld, ld)
            // Keep the valid columns, adding the bias (and applying the ReLU).
            for lane in 0..<channelBlock {
                let oc = cb * channelBlock + lane
                guard oc < g.outChannels else { break }
                ck_store_rows(path.code, block + lane * ld, pw, bias[oc], relu ? 1 : 0, oh, ow, out + oc * plane)
            }
        }
    }

    // MARK: Backward

    /// Same contract as `Conv2D.backward`.
    static func backward(input: Tensor, weight: Tensor, outputGradient: Tensor, geometry g: Conv2DGeometry,
                         reluOutput: Tensor?, inputGradient: Bool, threads: Int)
        -> (input: Tensor?, weight: Tensor, bias: Tensor)
    {
        let layout = Layout(g)
        let shards = Parallel.shards(count: g.batch, parts: threads)
        let path = KernelPath.current
        // Images per input-gradient multiply, so that its column count reaches about 2048.
        let group = max(1, min(g.batch, 2048 / layout.flatVectors))
        let (t, o, oc4) = (g.patchSize, g.outChannels, layout.paddedChannels)
        let tapTriples = (t + 2) / 3
        let wCount = o * t
        var partial = [Float](repeating: 0, count: shards.count * (wCount + o))
        var dInput = inputGradient ? [Float].unfilled(count: input.count) : []  // every image is cropped into it
        // Taps padded to whole triples; the extra ones read offset 0 and their sums are dropped.
        let taps = layout.taps + Array(repeating: 0, count: tapTriples * 3 - t)
        let transposed = inputGradient && directInputGradient(path) ? Transposed(layout, weight: weight) : nil
        partial.withUnsafeMutableBufferPointer { pBuf in
            dInput.withUnsafeMutableBufferPointer { dxBuf in
                input.scalars.withUnsafeBufferPointer { inBuf in
                    weight.scalars.withUnsafeBufferPointer { wBuf in
                        outputGradient.scalars.withUnsafeBufferPointer { dyBuf in
                          (reluOutput?.scalars ?? []).withUnsafeBufferPointer { maskBuf in
                            taps.withUnsafeBufferPointer { tBuf in
                                let mask = reluOutput != nil ? SharedReadPointer(maskBuf.baseAddress!) : nil
                                let part = SharedPointer(pBuf.baseAddress!)
                                let dx = inputGradient ? SharedPointer(dxBuf.baseAddress!) : nil
                                let x = SharedReadPointer(inBuf.baseAddress!)
                                let w = SharedReadPointer(wBuf.baseAddress!)
                                let dy = SharedReadPointer(dyBuf.baseAddress!)
                                let tapOffsets = SharedReadPointer(tBuf.baseAddress!)
                                Parallel.run(shards.count) { s in
                                    let ld = group * layout.flatVectors
                                    // Output gradients of a group, masked, in the flat layout with zeroed
                                    // discarded columns: [padded channel][image][flat position]. Rows stay
                                    // `ld` apart for every group, so the zeros stay where they belong.
                                    let grads = UnsafeMutablePointer<Float>.allocate(capacity: oc4 * ld)
                                    grads.initialize(repeating: 0, count: oc4 * ld)
                                    let image = UnsafeMutablePointer<Float>.allocate(capacity: layout.scratch)
                                    image.initialize(repeating: 0, count: layout.scratch)
                                    // Weight-gradient lane sums, CK_SUM_LANES floats per (channel, tap).
                                    let lanes = Int(CK_SUM_LANES), rowSums = tapTriples * 3
                                    let sums = UnsafeMutablePointer<Float>.allocate(capacity: oc4 * rowSums * lanes)
                                    sums.initialize(repeating: 0, count: oc4 * rowSums * lanes)
                                    let viaGEMM = dx != nil && transposed == nil
                                    let cols = viaGEMM ? UnsafeMutablePointer<Float>.allocate(capacity: t * ld) : nil
                                    let dImage = viaGEMM ? UnsafeMutablePointer<Float>.allocate(capacity: layout.scratch) : nil
                                    let scratch = transposed?.scratch()
                                    defer {
                                        grads.deallocate(); image.deallocate(); sums.deallocate()
                                        cols?.deallocate(); dImage?.deallocate(); scratch?.deallocate()
                                    }
                                    let dB = part[s * (wCount + o) + wCount]
                                    for first in stride(from: shards[s].lowerBound, to: shards[s].upperBound, by: group) {
                                        let count = min(group, shards[s].upperBound - first)
                                        for j in 0..<count {
                                            let n = first + j
                                            gatherGradient(dy[n * g.outImage], mask: mask.map { $0[n * g.outImage] },
                                                           layout, into: grads + j * layout.flatVectors, ld: ld,
                                                           biasGradient: dB, path: path)
                                            layout.pad(x[n * g.inImage], into: image)
                                            ck_conv_weight_gradient(path.code, image, grads + j * layout.flatVectors, ld,
                                                                    layout.flatVectors, tapOffsets.base, tapTriples,
                                                                    oc4 / channelBlock, sums)
                                            if let dx, let transposed, let scratch {
                                                transposed.inputGradient(grads + j * layout.flatVectors, ld: ld,
                                                                         scratch, path: path, into: dx[n * g.inImage])
                                            }
                                        }
                                        guard let dx, let cols, let dImage else { continue }
                                        // dCols (T x L) = W^T (T x O) * dY (O x L), added back tap by tap.
                                        GEMM.multiply(transposeA: true, transposeB: false,
                                                      m: t, n: count * layout.flatVectors, k: o,
                                                      a: w.base, lda: t, b: grads, ldb: ld,
                                                      beta: 0, c: cols, ldc: ld)
                                        for j in 0..<count {
                                            scatter(cols + j * layout.flatVectors, ld: ld, layout,
                                                    tapOffsets.base, into: dImage)
                                            crop(dImage, layout, into: dx[(first + j) * g.inImage])
                                        }
                                    }
                                    // Reduce each channel's lane sums to the shard's weight gradient.
                                    let dW = part[s * (wCount + o)]
                                    for oc in 0..<o {
                                        ck_reduce_lanes(path.code, sums + oc * rowSums * lanes, t, dW + oc * t)
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
        var dB = [Float](repeating: 0, count: o)
        for s in 0..<shards.count {
            let base = s * (wCount + o)
            for i in 0..<wCount { dW[i] += partial[base + i] }
            for c in 0..<o { dB[c] += partial[base + wCount + c] }
        }
        return (inputGradient ? Tensor(shape: g.inputShape, scalars: dInput) : nil,
                Tensor(shape: g.weightShape, scalars: dW),
                Tensor(shape: [o], scalars: dB))
    }

    /// Whether the input gradient runs as a direct convolution (`Transposed`) rather than OpenBLAS + scatter.
    /// Measured on m1 (AMD EPYC, docs/PERFORMANCE.md): with 16-float vectors the direct kernel's 16% more
    /// multiply-adds cost less than the GEMM, its packing and the scatter; with 8-float vectors they cost more.
    static func directInputGradient(_ path: KernelPath) -> Bool { path == .avx512 }

    /// The input gradient as a forward pass of the same kernel over the output gradient:
    /// `dX[c][p] = sum over (o, i, j) of W[o][c][i][j] * dY[o][p - i * paddedWidth - j]` on the flat padded
    /// layout, where dY is zero outside its valid positions. Each output channel's gradient sits in a zeroed row
    /// with a margin in front, so every tap's read stays inside the scratch; the input channels are blocked by
    /// four as the forward pass blocks output channels.
    struct Transposed {
        let layout: Layout
        /// Zeros in front of each gradient row: the largest tap offset.
        let margin: Int
        /// Output columns computed: the padded input plane, rounded up to the column block.
        let columns: Int
        /// Floats per gradient row: margin, then the columns the kernel reads.
        let rowStride: Int
        /// `o * rowStride - (i * paddedWidth + j)` in `(o, i, j)` order.
        let taps: [Int]
        /// Weights as `[input channel block][tap (o, i, j)][4]`.
        let packed: [Float]
        let paddedInChannels: Int

        init(_ layout: Layout, weight: Tensor) {
            let g = layout.g
            let (k, pw) = (g.kernel, layout.paddedWidth)
            self.layout = layout
            margin = (k - 1) * pw + (k - 1)
            columns = (layout.plane + DirectConv.columnBlock - 1) / DirectConv.columnBlock * DirectConv.columnBlock
            rowStride = margin + max(columns, layout.flatVectors)
            var taps: [Int] = []
            taps.reserveCapacity(g.outChannels * k * k)
            for o in 0..<g.outChannels {
                for i in 0..<k {
                    for j in 0..<k { taps.append(o * rowStride + margin - (i * pw + j)) }
                }
            }
            self.taps = taps
            paddedInChannels = (g.inChannels + 3) / 4 * 4
            let tapCount = taps.count
            var packed = [Float](repeating: 0, count: paddedInChannels * tapCount)
            weight.scalars.withUnsafeBufferPointer { w in
                for o in 0..<g.outChannels {
                    for c in 0..<g.inChannels {
                        for ij in 0..<(k * k) {
                            let (block, lane) = c.quotientAndRemainder(dividingBy: 4)
                            packed[(block * tapCount + o * k * k + ij) * 4 + lane] = w[(o * g.inChannels + c) * k * k + ij]
                        }
                    }
                }
            }
            self.packed = packed
        }

        /// Zeroed gradient rows for every output channel, then one block of four input channels' results.
        func scratch() -> UnsafeMutablePointer<Float> {
            let count = layout.g.outChannels * rowStride + 4 * columns
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            buffer.initialize(repeating: 0, count: count)
            return buffer
        }

        /// One image's input gradient from its gathered output gradient (rows `ld` apart, flat layout).
        func inputGradient(_ grads: UnsafePointer<Float>, ld: Int, _ scratch: UnsafeMutablePointer<Float>,
                           path: KernelPath, into dx: UnsafeMutablePointer<Float>) {
            let g = layout.g
            for o in 0..<g.outChannels {
                (scratch + o * rowStride + margin).update(from: grads + o * ld, count: layout.flatVectors)
            }
            let block = scratch + g.outChannels * rowStride
            let (h, w, p, pw) = (g.height, g.width, g.padding, layout.paddedWidth)
            taps.withUnsafeBufferPointer { t in
                packed.withUnsafeBufferPointer { wBuf in
                    for cb in 0..<(paddedInChannels / 4) {
                        ck_conv_forward_block(path.code, scratch, t.baseAddress!, t.count,
                                              wBuf.baseAddress! + cb * t.count * 4, block, columns, columns)
                        for lane in 0..<4 {
                            let c = cb * 4 + lane
                            guard c < g.inChannels else { break }
                            for y in 0..<h {
                                (dx + (c * h + y) * w).update(from: block + lane * columns + (y + p) * pw + p, count: w)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Writes one image's output gradient (masked by the fused ReLU's output) into rows `ld` apart in the flat
    /// layout, leaving the discarded columns zero, and adds each channel's sum to the bias gradient.
    static func gatherGradient(_ dy: UnsafePointer<Float>, mask: UnsafePointer<Float>?, _ layout: Layout,
                               into grads: UnsafeMutablePointer<Float>, ld: Int,
                               biasGradient: UnsafeMutablePointer<Float>, path: KernelPath) {
        let g = layout.g
        let (oh, ow, pw, plane) = (g.outHeight, g.outWidth, layout.paddedWidth, g.outPlane)
        for oc in 0..<g.outChannels {
            let row = grads + oc * ld
            ck_gather_rows(path.code, dy + oc * plane, mask.map { $0 + oc * plane }, oh, ow, pw, row)
            biasGradient[oc] += Conv2D.planeSum(row, layout.flatVectors)
        }
    }

    /// Adds an image's column block (rows `ld` apart, flat layout) back into a zeroed padded image gradient:
    /// one contiguous add per tap. Discarded columns hold zeros, so adding them anywhere is harmless.
    static func scatter(_ cols: UnsafePointer<Float>, ld: Int, _ layout: Layout, _ taps: UnsafePointer<Int>,
                        into image: UnsafeMutablePointer<Float>) {
        image.update(repeating: 0, count: layout.scratch)
        let vectors = layout.flatVectors / 8  // flatVectors is a multiple of 16
        for k in 0..<layout.g.patchSize {
            let src = cols + k * ld, dst = image + taps[k]
            var q = 0
            for _ in 0..<vectors {
                (dst + q).storeVector((dst + q).loadVector() + (src + q).loadVector())
                q += 8
            }
        }
    }

    /// Copies the interior of a padded image gradient out to a C x H x W image.
    static func crop(_ padded: UnsafePointer<Float>, _ layout: Layout, into dst: UnsafeMutablePointer<Float>) {
        let (h, w, p) = (layout.g.height, layout.g.width, layout.g.padding)
        for c in 0..<layout.g.inChannels {
            for y in 0..<h {
                (dst + (c * h + y) * w).update(from: padded + c * layout.plane + (y + p) * layout.paddedWidth + p,
                                               count: w)
            }
        }
    }
}
