import Tensor

/// Turns the images of one batch into a normalised `[N, C, H, W]` Float32 tensor; only the batch in flight is
/// ever held as floats.
enum BatchBuilder {
    static func tensor(_ set: ImageSet, indices: some Collection<Int>, inputShape: [Int],
                       normalization: InputNormalization,
                       augment: (ArraySlice<UInt8>) -> [UInt8]? = { _ in nil }) -> Tensor
    {
        let size = set.imageSize
        let scale = normalization.scale / normalization.std, shift = -normalization.mean / normalization.std
        var scalars = [Float](repeating: 0, count: indices.count * size)
        for (row, index) in indices.enumerated() {
            let image = set.image(index)
            let pixels = augment(image).map { ArraySlice($0) } ?? image
            var j = row * size
            for p in pixels {
                scalars[j] = Float(p) * scale + shift
                j += 1
            }
        }
        return Tensor(shape: [indices.count] + inputShape, scalars: scalars)
    }

    static func tensor(pixels: ArraySlice<UInt8>, count: Int, inputShape: [Int], normalization: InputNormalization)
        -> Tensor
    {
        let scale = normalization.scale / normalization.std, shift = -normalization.mean / normalization.std
        return Tensor(shape: [count] + inputShape, scalars: pixels.map { Float($0) * scale + shift })
    }
}
