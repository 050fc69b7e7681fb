/// What `DigitPreprocessor` did to an image, for logs and `--json` output.
public struct DigitReport: Sendable, Equatable, Codable {
    /// A rectangle in the source image's pixels.
    public struct Box: Sendable, Equatable, Codable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int

        public init(x: Int, y: Int, width: Int, height: Int) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }

    public var sourceWidth: Int
    public var sourceHeight: Int
    /// The image was already 28x28 white-on-black and opaque, and was used as it is.
    public var unchanged = false
    /// The luminance transparent pixels were composited onto (255 paper for dark strokes, 0 for light ones);
    /// nil when the image had no transparency.
    public var alphaBackground: UInt8?
    /// Dark ink on light paper was turned into MNIST's white ink on black.
    public var inverted = false
    /// The image's paper is one flat level (a scan, a canvas, a crop of either): this level (of the ink, light on
    /// dark) was taken as paper and nothing else was changed. Nil for photos and transparent images.
    public var flatPaper: UInt8?
    /// The paper's brightness was estimated across the image and the ink measured against it, so uneven
    /// lighting does not count as ink (opaque images only).
    public var backgroundFlattened = false
    /// Pixels darker than this (after inversion or flattening) were taken as background noise and cleared.
    public var noiseThreshold: UInt8?
    /// Small pieces above the threshold, far lighter than the digit's strokes (noise, grain, JPEG blocks),
    /// that were cleared before the ink's box was found.
    public var specksRemoved = 0
    /// The ink's bounding box in the source image.
    public var inkBox: Box?
    /// Holes inside the ink too long and thin to be a digit's own (the inside of strokes drawn as their
    /// outline) that were filled (see `HollowStrokes`).
    public var hollowStrokesFilled = 0
    /// The ink was one stroke too wide for a pen, so stretched sideways: it was narrowed by this factor before
    /// being fitted (see `StrokeAspect`). Nil when its aspect was kept.
    public var narrowed: Double?
    /// The size the ink was scaled to (at most 20x20) before being placed in the 28x28 frame.
    public var scaledWidth: Int?
    public var scaledHeight: Int?
    /// Where the scaled ink's top-left corner was placed so that its centre of mass is at the frame's centre.
    public var offsetX: Int?
    public var offsetY: Int?
    /// No ink was found (an empty or uniform image); the result is all black.
    public var blank = false

    public init(sourceWidth: Int, sourceHeight: Int) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
    }
}
