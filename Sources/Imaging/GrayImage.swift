/// An 8-bit grayscale image, optionally with an alpha channel, rows top to bottom.
public struct GrayImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// `width * height` luminance values, 0 black to 255 white.
    public var pixels: [UInt8]
    /// `width * height` opacities (255 opaque) when the source had transparency, else nil.
    public var alpha: [UInt8]?

    public init(width: Int, height: Int, pixels: [UInt8], alpha: [UInt8]? = nil) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height)
        precondition(alpha == nil || alpha!.count == pixels.count)
        self.width = width
        self.height = height
        self.pixels = pixels
        self.alpha = alpha
    }

    public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }
}
