import Foundation

/// The retrain run's numbers as written to `metrics.json`. `test_accuracy` and `test_loss` are the
/// fine-tuned model's; the `_before` fields are the model it was compared against.
public struct RetrainMetrics: Sendable, Equatable, Codable {
    public struct Feedback: Sendable, Equatable, Codable {
        public var name: String
        public var trueLabel: Int
        public var before: RetrainReportInput.Prediction
        public var after: RetrainReportInput.Prediction
        /// `fixed`, `still wrong`, `kept right` or `broken`.
        public var outcome: FeedbackOutcome
    }

    public var workflow: String
    public var date: String
    public var gitCommit: String?
    public var seed: UInt64?
    public var testAccuracy: Double
    public var testLoss: Double
    public var testAccuracyBefore: Double
    public var testLossBefore: Double
    public var feedbackCount: Int
    public var feedbackAccuracyBefore: Double
    public var feedbackAccuracyAfter: Double
    /// Feedback images the old model got wrong (`wrong_before`, `fixed`) and right (`right_before`, `kept_right`).
    /// They are images the new model was fine-tuned on: these measure what it learnt of them, not how it generalises.
    public var feedbackOutcomes: FeedbackTally
    public var promoted: Bool
    public var gateReason: String
    public var feedback: [Feedback]
    public var unreadable: [RetrainReportInput.UnreadableFile]

    public init(_ input: RetrainReportInput) {
        workflow = input.manifest.workflow
        date = input.manifest.isoDate
        gitCommit = input.manifest.gitCommit
        seed = input.manifest.seed
        testAccuracy = input.testAfter.accuracy
        testLoss = input.testAfter.loss
        testAccuracyBefore = input.testBefore.accuracy
        testLossBefore = input.testBefore.loss
        feedbackCount = input.feedback.count
        feedbackAccuracyBefore = input.feedbackAccuracyBefore
        feedbackAccuracyAfter = input.feedbackAccuracyAfter
        feedbackOutcomes = input.feedbackTally
        promoted = input.gate.promoted
        gateReason = input.gate.reason
        feedback = input.feedback.map {
            Feedback(name: $0.name, trueLabel: $0.trueLabel, before: $0.before, after: $0.after, outcome: $0.outcome)
        }
        unreadable = input.unreadable
    }

    public func jsonData() throws -> Data {
        try MetricsJSON.encode(self)
    }
}
