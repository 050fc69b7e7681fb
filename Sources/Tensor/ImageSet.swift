/// A set of same-sized grayscale images with class labels, stored as bytes (MNIST's own form).
///
/// Datasets produce it, the training loop consumes it batch by batch (converting to normalised Float32 only
/// for the batch in flight), and the cache stores it as two U8 tensors. Pixels are row-major, image after
/// image: image `i` is `pixels[(i * height * width)..<((i + 1) * height * width)]`.
public struct ImageSet: Sendable, Equatable {
    public var pixels: [UInt8]
    public var labels: [UInt8]
    public var height: Int
    public var width: Int

    public init(pixels: [UInt8], labels: [UInt8], height: Int, width: Int) {
        precondition(pixels.count == labels.count * height * width,
                     "\(pixels.count) pixels for \(labels.count) images of \(height)x\(width)")
        self.pixels = pixels
        self.labels = labels
        self.height = height
        self.width = width
    }

    public var count: Int { labels.count }
    public var imageSize: Int { height * width }

    /// The images at `indices`, in that order.
    public func subset(_ indices: some Sequence<Int>) -> ImageSet {
        var pixels: [UInt8] = []
        var labels: [UInt8] = []
        for i in indices {
            pixels.append(contentsOf: self.pixels[(i * imageSize)..<((i + 1) * imageSize)])
            labels.append(self.labels[i])
        }
        return ImageSet(pixels: pixels, labels: labels, height: height, width: width)
    }

    /// The first `n` images (all of them if `n >= count`).
    public func prefix(_ n: Int) -> ImageSet {
        subset(0..<min(n, count))
    }

    /// The pixels of image `i`.
    public func image(_ i: Int) -> ArraySlice<UInt8> {
        pixels[(i * imageSize)..<((i + 1) * imageSize)]
    }
}
