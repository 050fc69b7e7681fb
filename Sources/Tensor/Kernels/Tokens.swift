/// The token bookkeeping of a Vision Transformer around its blocks: image patches as token rows, the class token,
/// the learned position embedding, the residual additions, and the class token's row for the head.
///
/// These are copies and additions (memory-bound, a few hundred kilobytes per batch), run on the calling thread.
/// Every sum over the batch adds the samples in order, so the results are fixed.
public enum Tokens {
    /// Cuts `[B, C, H, W]` images into non-overlapping `patch x patch` squares, row by row: `[B, N, C*patch*patch]`
    /// with `N = (H / patch) * (W / patch)`, each row in `(c, i, j)` order. That is the layout of a
    /// `Conv2d(C, D, patch, stride: patch)` weight `[D, C, patch, patch]` seen as `[D, C*patch*patch]`, so the
    /// patch embedding is this followed by `Linear.forward` with that weight (timm's `PatchEmbed` with its
    /// `flatten(2).transpose(1, 2)`). `H` and `W` must be multiples of `patch`.
    public static func patches(_ images: Tensor, patch: Int) -> Tensor {
        let (b, c, h, w) = imageDimensions(images.shape, patch: patch)
        return images.scalars.withUnsafeBufferPointer { src in
            Tensor(shape: [b, (h / patch) * (w / patch), c * patch * patch]) { dst in
                forEachPatchRow(images.shape, patch: patch) { pixel, row in
                    (dst.baseAddress! + row).update(from: src.baseAddress! + pixel, count: patch)
                }
            }
        }
    }

    /// The inverse of `patches`: the gradient with respect to the images (`imageShape`, `[B, C, H, W]`) given
    /// the gradient of the patch rows. The patches do not overlap, so each pixel receives exactly one value.
    public static func patchesBackward(outputGradient: Tensor, imageShape: [Int], patch: Int) -> Tensor {
        let (b, c, h, w) = imageDimensions(imageShape, patch: patch)
        precondition(outputGradient.shape == [b, (h / patch) * (w / patch), c * patch * patch],
                     "patch gradient \(outputGradient.shape) does not match images \(imageShape), patch \(patch)")
        return outputGradient.scalars.withUnsafeBufferPointer { src in
            Tensor(shape: imageShape) { dst in
                forEachPatchRow(imageShape, patch: patch) { pixel, row in
                    (dst.baseAddress! + pixel).update(from: src.baseAddress! + row, count: patch)
                }
            }
        }
    }

    /// Calls `body(pixel, row)` for every run of `patch` pixels of a patch's row: its offset in the images and
    /// its offset in the patch rows, in the patch rows' order.
    private static func forEachPatchRow(_ shape: [Int], patch: Int, _ body: (Int, Int) -> Void) {
        let (b, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        var row = 0
        for n in 0..<b {
            for py in 0..<(h / patch) {
                for px in 0..<(w / patch) {
                    for ch in 0..<c {
                        for i in 0..<patch {
                            body(((n * c + ch) * h + py * patch + i) * w + px * patch, row)
                            row += patch
                        }
                    }
                }
            }
        }
    }

    /// `[B, N, D]` tokens with the class token (`D` values, any shape such as timm's `[1, 1, D]`) put first:
    /// `[B, N + 1, D]`.
    public static func prependClassToken(_ tokens: Tensor, classToken: Tensor) -> Tensor {
        precondition(tokens.rank == 3 && classToken.count == tokens.shape[2],
                     "class token of \(classToken.count) values for tokens \(tokens.shape)")
        let (b, n, d) = (tokens.shape[0], tokens.shape[1], tokens.shape[2])
        return tokens.scalars.withUnsafeBufferPointer { src in
            classToken.scalars.withUnsafeBufferPointer { cls in
                Tensor(shape: [b, n + 1, d]) { dst in
                    guard d > 0 else { return }
                    for s in 0..<b {
                        (dst.baseAddress! + s * (n + 1) * d).update(from: cls.baseAddress!, count: d)
                        (dst.baseAddress! + (s * (n + 1) + 1) * d).update(from: src.baseAddress! + s * n * d, count: n * d)
                    }
                }
            }
        }
    }

    /// Gradients of `prependClassToken`: the tokens' (`[B, N, D]`) and the class token's (`classTokenShape`, summed
    /// over the batch), from the gradient of its `[B, N + 1, D]` output.
    public static func prependClassTokenBackward(outputGradient: Tensor, classTokenShape: [Int])
        -> (tokens: Tensor, classToken: Tensor)
    {
        precondition(outputGradient.rank == 3 && outputGradient.shape[1] >= 1,
                     "class token gradient from \(outputGradient.shape)")
        let (b, t, d) = (outputGradient.shape[0], outputGradient.shape[1], outputGradient.shape[2])
        precondition(classTokenShape.reduce(1, *) == d, "class token shape \(classTokenShape) for \(d) features")
        let first = classTokenRows(outputGradient)
        let tokens = outputGradient.scalars.withUnsafeBufferPointer { src in
            Tensor(shape: [b, t - 1, d]) { dst in
                guard d > 0, t > 1 else { return }
                for s in 0..<b {
                    (dst.baseAddress! + s * (t - 1) * d).update(from: src.baseAddress! + (s * t + 1) * d, count: (t - 1) * d)
                }
            }
        }
        return (tokens, Tensor(shape: classTokenShape, scalars: batchSum(first.scalars, samples: b, size: d)))
    }

    /// Adds the position embedding (`T * D` values, any shape such as timm's `[1, T, D]`) to every sample of
    /// `[B, T, D]` tokens, in place. Its gradient with respect to the tokens is the output gradient itself.
    public static func addPositionEmbedding(_ tokens: inout Tensor, _ embedding: Tensor) {
        precondition(tokens.rank == 3 && embedding.count == tokens.shape[1] * tokens.shape[2],
                     "position embedding of \(embedding.count) values for tokens \(tokens.shape)")
        let size = embedding.count
        guard size > 0 else { return }
        tokens.scalars.withUnsafeMutableBufferPointer { x in
            embedding.scalars.withUnsafeBufferPointer { e in
                for s in 0..<tokens.shape[0] { add(e.baseAddress!, into: x.baseAddress! + s * size, count: size) }
            }
        }
    }

    /// The position embedding's gradient (`embeddingShape`): the output gradient `[B, T, D]` summed over the
    /// batch, sample by sample.
    public static func positionEmbeddingGradient(outputGradient: Tensor, embeddingShape: [Int]) -> Tensor {
        precondition(outputGradient.rank == 3
                     && embeddingShape.reduce(1, *) == outputGradient.shape[1] * outputGradient.shape[2],
                     "position embedding shape \(embeddingShape) for gradient \(outputGradient.shape)")
        let size = outputGradient.shape[1] * outputGradient.shape[2]
        return Tensor(shape: embeddingShape,
                      scalars: batchSum(outputGradient.scalars, samples: outputGradient.shape[0], size: size))
    }

    /// Each sample's first token (the class token after the blocks): `[B, T, D]` to `[B, D]`, for the head.
    public static func classTokenRows(_ tokens: Tensor) -> Tensor {
        precondition(tokens.rank == 3 && tokens.shape[1] >= 1, "class token rows of \(tokens.shape)")
        let (b, t, d) = (tokens.shape[0], tokens.shape[1], tokens.shape[2])
        return tokens.scalars.withUnsafeBufferPointer { src in
            Tensor(shape: [b, d]) { dst in
                guard d > 0 else { return }
                for s in 0..<b { (dst.baseAddress! + s * d).update(from: src.baseAddress! + s * t * d, count: d) }
            }
        }
    }

    /// The gradient of `classTokenRows`: `[B, D]` placed in the first token of a zero `[B, tokens, D]` tensor.
    public static func classTokenRowsBackward(outputGradient: Tensor, tokens t: Int) -> Tensor {
        precondition(outputGradient.rank == 2 && t >= 1, "class token rows gradient \(outputGradient.shape)")
        let (b, d) = (outputGradient.shape[0], outputGradient.shape[1])
        var dx = [Float](repeating: 0, count: b * t * d)
        outputGradient.scalars.withUnsafeBufferPointer { src in
            dx.withUnsafeMutableBufferPointer { dst in
                guard d > 0 else { return }
                for s in 0..<b { (dst.baseAddress! + s * t * d).update(from: src.baseAddress! + s * d, count: d) }
            }
        }
        return Tensor(shape: [b, t, d], scalars: dx)
    }

    /// `a += b` elementwise (a residual connection, or two gradients meeting); the shapes must be equal.
    public static func addInPlace(_ a: inout Tensor, _ b: Tensor) {
        precondition(a.shape == b.shape, "adding \(b.shape) to \(a.shape)")
        guard a.count > 0 else { return }
        a.scalars.withUnsafeMutableBufferPointer { x in
            b.scalars.withUnsafeBufferPointer { y in add(y.baseAddress!, into: x.baseAddress!, count: x.count) }
        }
    }

    /// `a + b` elementwise, as a new tensor.
    public static func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
        var out = a
        addInPlace(&out, b)
        return out
    }

    /// `samples` consecutive blocks of `size` floats added in order.
    static func batchSum(_ values: [Float], samples: Int, size: Int) -> [Float] {
        var total = [Float](repeating: 0, count: size)
        guard size > 0 else { return total }
        values.withUnsafeBufferPointer { v in
            total.withUnsafeMutableBufferPointer { t in
                for s in 0..<samples { add(v.baseAddress! + s * size, into: t.baseAddress!, count: size) }
            }
        }
        return total
    }

    /// `dst[i] += src[i]` for `i < count`, eight at a time.
    @inline(__always)
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            (dst + i).storeVector((dst + i).loadVector() + (src + i).loadVector())
            i += 8
        }
        while i < count {
            dst[i] += src[i]
            i += 1
        }
    }

    private static func imageDimensions(_ shape: [Int], patch: Int) -> (Int, Int, Int, Int) {
        precondition(shape.count == 4 && patch > 0 && shape[2] % patch == 0 && shape[3] % patch == 0,
                     "patches of \(patch) need [B, C, H, W] images with H and W multiples of it, got \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }
}
