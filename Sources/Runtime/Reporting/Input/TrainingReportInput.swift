/// Everything the training workflow's report shows. Plain values, so any step can fill it in.
public struct TrainingReportInput: Sendable {
    public var history: [EpochRow]
    /// Predictions on the test set.
    public var test: ClassificationResult
    /// Mean cross-entropy on the test set.
    public var testLoss: Double
    /// Misclassified test images, in test-set order; the report shows the first ones and uses them as
    /// examples for the most confused pairs. An empty list is allowed (the sections say so).
    public var misclassified: [DigitExample]
    public var model: ModelSummary
    /// Wall time of the training step in seconds.
    public var trainingSeconds: Double
    public var manifest: RunManifest

    public init(history: [EpochRow], test: ClassificationResult, testLoss: Double, misclassified: [DigitExample],
                model: ModelSummary, trainingSeconds: Double, manifest: RunManifest) {
        self.history = history
        self.test = test
        self.testLoss = testLoss
        self.misclassified = misclassified
        self.model = model
        self.trainingSeconds = trainingSeconds
        self.manifest = manifest
    }
}
