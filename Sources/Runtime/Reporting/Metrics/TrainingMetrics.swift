import Foundation

/// The training run's numbers as written to `metrics.json` (keys in snake_case, sorted). Every number the
/// report prints comes from here, so the two cannot disagree.
public struct TrainingMetrics: Sendable, Equatable, Codable {
    public struct Model: Sendable, Equatable, Codable {
        public var totalParameters: Int
        public var flopsPerImage: Int
    }

    public var workflow: String
    public var date: String
    public var gitCommit: String?
    public var seed: UInt64?
    /// Fraction correct on the test set, 0...1.
    public var testAccuracy: Double
    public var testLoss: Double
    public var testCount: Int
    public var misclassified: Int
    public var trainingSeconds: Double
    public var perClass: [ClassMetrics]
    /// `confusionMatrix[true][predicted]`.
    public var confusionMatrix: [[Int]]
    public var mostConfused: [ConfusedPair]
    public var confidence: ConfidenceStats
    public var history: [EpochRow]
    public var model: Model

    public init(_ input: TrainingReportInput) {
        let matrix = ConfusionMatrix(input.test)
        workflow = input.manifest.workflow
        date = input.manifest.isoDate
        gitCommit = input.manifest.gitCommit
        seed = input.manifest.seed
        testAccuracy = matrix.accuracy
        testLoss = input.testLoss
        testCount = matrix.total
        misclassified = matrix.total - matrix.correct
        trainingSeconds = input.trainingSeconds
        perClass = matrix.perClass
        confusionMatrix = matrix.counts
        mostConfused = matrix.mostConfusedPairs(limit: 10)
        confidence = ConfidenceStats(input.test)
        history = input.history
        model = Model(totalParameters: input.model.totalParameters, flopsPerImage: input.model.flopsPerImage)
    }

    /// Pretty-printed JSON with sorted keys: the same metrics give the same bytes.
    public func jsonData() throws -> Data {
        try MetricsJSON.encode(self)
    }
}

enum MetricsJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}
