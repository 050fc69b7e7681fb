import Tensor

extension Model {
    /// The most images inference runs through the layers at once: a larger requested batch runs in chunks of this.
    package static let inferenceChunk = 256

    /// Evaluation-mode logits `[N, classes]` for every image of `set`, `batchSize` images at a time.
    public func logits(_ set: ImageSet, batchSize: Int, threads: Int) -> Tensor {
        precondition(set.imageSize == inputShape.reduce(1, *),
                     "\(set.height)x\(set.width) images for a model with input shape \(inputShape)")
        return logits(pixels: set.pixels[...], count: set.count, batchSize: batchSize, threads: threads)
    }

    /// Softmax probabilities `[count, classes]` for `count` images of raw pixels laid out one after another.
    public func probabilities(pixels: [UInt8], count: Int, batchSize: Int, threads: Int) -> Tensor {
        precondition(pixels.count == count * inputShape.reduce(1, *),
                     "\(pixels.count) pixels for \(count) images of shape \(inputShape)")
        return SoftmaxCrossEntropy.softmax(logits(pixels: pixels[...], count: count, batchSize: batchSize,
                                                  threads: threads))
    }

    func logits(pixels: ArraySlice<UInt8>, count: Int, batchSize: Int, threads: Int) -> Tensor {
        Parallel.useSingleThreadedBLAS()
        Parallel.retainFreedMemory()
        let size = inputShape.reduce(1, *), k = classCount
        var out = [Float](repeating: 0, count: count * k)
        // Rows are independent in evaluation mode, so large requested batches run in chunks of at most 256:
        // activations then stay within the heap's retained memory and mostly in cache (a 1000-image batch
        // of m1 would otherwise allocate ~150 MB per layer and fault in every page).
        let step = max(1, min(batchSize, Self.inferenceChunk))
        var start = 0
        while start < count {
            let n = min(step, count - start)
            let base = pixels.startIndex + start * size
            let x = BatchBuilder.tensor(pixels: pixels[base..<(base + n * size)], count: n, inputShape: inputShape,
                                        normalization: normalization)
            let y = forwardEval(x, threads: threads)
            out.replaceSubrange((start * k)..<((start + n) * k), with: y.scalars)
            start += n
        }
        return Tensor(shape: [count, k], scalars: out)
    }
}
