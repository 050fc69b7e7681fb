/// Everything the training workflow's report shows. Plain values, so any step can fill it in.
public struct TrainingReportInput: Sendable {
    public var history: [EpochRow]
    /// Predictions on the test set.
    public var test: ClassificationResult
    /// Mean cross-entropy on the test set.
    public var testLoss: Double
    /// Misclassified test images: the report's grid shows the most confident of them (up to
    /// `ReportWriter.misclassifiedInGrid`), and they serve as examples for the most confused pairs. An empty list
    /// is allowed (the sections say so).
    public var misclassified: [DigitExample]
    /// More misclassified test images, kept only as examples for the most confused pairs (not in the grid).
    public var pairExamples: [DigitExample]
    public var model: ModelSummary
    /// Wall time of the training step in seconds.
    public var trainingSeconds: Double
    public var manifest: RunManifest
    /// What each class is, when not the digit itself (Fashion-MNIST's `T-shirt/top`, …); nil for digits.
    public var classNames: [String]?

    public init(history: [EpochRow], test: ClassificationResult, testLoss: Double, misclassified: [DigitExample],
                pairExamples: [DigitExample] = [], model: ModelSummary, trainingSeconds: Double, manifest: RunManifest,
                classNames: [String]? = nil) {
        self.history = history
        self.test = test
        self.testLoss = testLoss
        self.misclassified = misclassified
        self.pairExamples = pairExamples
        self.classNames = classNames
        self.model = model
        self.trainingSeconds = trainingSeconds
        self.manifest = manifest
    }
}
