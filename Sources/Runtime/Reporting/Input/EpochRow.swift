import NeuralNet

/// One epoch of training history. Validation numbers are nil when the workflow has no validation set.
public struct EpochRow: Sendable, Equatable, Codable {
    /// 1-based epoch number.
    public var epoch: Int
    public var trainLoss: Double
    /// Fraction 0...1.
    public var trainAccuracy: Double
    public var validationLoss: Double?
    /// Fraction 0...1.
    public var validationAccuracy: Double?
    /// Wall time of the epoch in seconds.
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double,
                validationLoss: Double? = nil, validationAccuracy: Double? = nil, seconds: Double = 0) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.seconds = seconds
    }
}

extension EpochRow {
    /// An epoch of the training step's history as the reports show it.
    init(_ metrics: EpochMetrics) {
        self.init(epoch: metrics.epoch, trainLoss: Double(metrics.trainLoss), trainAccuracy: Double(metrics.trainAccuracy),
                  validationLoss: metrics.validationLoss.map(Double.init), validationAccuracy: metrics.validationAccuracy.map(Double.init),
                  seconds: metrics.seconds)
    }
}
