/// A 28x28 digit with what it is and what the model said: a misclassified test image or a feedback image.
public struct DigitExample: Sendable, Equatable {
    public static let side = 28

    /// 784 luminance values, rows top to bottom, white digit on black as in MNIST.
    public var pixels: [UInt8]
    public var trueLabel: Int
    public var predicted: Int
    /// Probability of `predicted`, 0...1.
    public var confidence: Float

    public init(pixels: [UInt8], trueLabel: Int, predicted: Int, confidence: Float) {
        self.pixels = pixels
        self.trueLabel = trueLabel
        self.predicted = predicted
        self.confidence = confidence
    }
}
