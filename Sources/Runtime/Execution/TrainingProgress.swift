import Foundation

/// The numbers of one training progress line, rendered as
/// `epoch 3/12 batch 400/860 loss 0.0423 acc 98.7% 1850 img/s 2m10s left`.
public struct TrainingProgress: Sendable, Equatable, CustomStringConvertible {
    public var epoch: Int
    public var epochs: Int
    public var batch: Int
    public var batches: Int
    public var loss: Double
    /// A fraction, 0...1.
    public var accuracy: Double
    public var imagesPerSecond: Double
    public var secondsLeft: Double?

    public init(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, accuracy: Double,
                imagesPerSecond: Double, secondsLeft: Double?) {
        self.epoch = epoch
        self.epochs = epochs
        self.batch = batch
        self.batches = batches
        self.loss = loss
        self.accuracy = accuracy
        self.imagesPerSecond = imagesPerSecond
        self.secondsLeft = secondsLeft
    }

    public var description: String {
        var text = "epoch \(epoch)/\(epochs) batch \(batch)/\(batches) loss \(String(format: "%.4f", loss)) "
            + "acc \(String(format: "%.1f", accuracy * 100))% \(Int(imagesPerSecond.rounded())) img/s"
        if let secondsLeft { text += " \(Self.duration(secondsLeft)) left" }
        return text
    }

    /// `45s`, `2m10s`, `1h02m`.
    public static func duration(_ seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded()))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", (total % 3600) / 60))m"
    }
}
