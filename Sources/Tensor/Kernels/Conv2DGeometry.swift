/// The sizes of one 2-D convolution over an NCHW batch (square kernel, equal stride and padding on both axes).
public struct Conv2DGeometry: Sendable, Hashable {
    public var batch: Int
    public var inChannels: Int
    public var height: Int
    public var width: Int
    public var outChannels: Int
    public var kernel: Int
    public var stride: Int
    public var padding: Int

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    public var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    /// Rows of the im2col matrix: one per (input channel, kernel row, kernel column).
    public var patchSize: Int { inChannels * kernel * kernel }
    /// Columns of the im2col matrix: one per output pixel.
    public var outPlane: Int { outHeight * outWidth }
    public var inImage: Int { inChannels * height * width }
    public var outImage: Int { outChannels * outPlane }
    public var inputShape: [Int] { [batch, inChannels, height, width] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    public var weightShape: [Int] { [outChannels, inChannels, kernel, kernel] }
    /// Forward multiply-adds times two, per image.
    public var flopsPerImage: Int { 2 * outChannels * outPlane * patchSize }
}
