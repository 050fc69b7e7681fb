/// Everything the retrain workflow's report shows: the model before and after fine-tuning on feedback.
public struct RetrainReportInput: Sendable {
    /// Accuracy (fraction 0...1) and mean loss of one model on one set.
    public struct Score: Sendable, Equatable, Codable {
        public var accuracy: Double
        public var loss: Double
        public init(accuracy: Double, loss: Double) {
            self.accuracy = accuracy
            self.loss = loss
        }
    }

    /// One feedback image with both models' answers.
    public struct FeedbackImage: Sendable, Equatable {
        /// File name under `incorrect_predictions/`.
        public var name: String
        /// 784 luminance values, white on black, the normalised 28x28 form.
        public var pixels: [UInt8]
        public var trueLabel: Int
        public var before: Prediction
        public var after: Prediction

        public init(name: String, pixels: [UInt8], trueLabel: Int, before: Prediction, after: Prediction) {
            self.name = name
            self.pixels = pixels
            self.trueLabel = trueLabel
            self.before = before
            self.after = after
        }

        /// Fixed, still wrong, kept right or broken, against the model before fine-tuning.
        public var outcome: FeedbackOutcome {
            FeedbackOutcome(trueLabel: trueLabel, before: before.label, after: after.label)
        }
    }

    public struct Prediction: Sendable, Equatable, Codable {
        public var label: Int
        /// 0...1.
        public var confidence: Float
        public init(label: Int, confidence: Float) {
            self.label = label
            self.confidence = confidence
        }
    }

    /// Whether the fine-tuned model replaced the current one, and why.
    public struct GateDecision: Sendable, Equatable, Codable {
        public var promoted: Bool
        public var reason: String
        public init(promoted: Bool, reason: String) {
            self.promoted = promoted
            self.reason = reason
        }
    }

    /// A feedback file that could not be used.
    public struct UnreadableFile: Sendable, Equatable, Codable {
        public var name: String
        public var reason: String
        public init(name: String, reason: String) {
            self.name = name
            self.reason = reason
        }
    }

    /// MNIST test set, model before fine-tuning.
    public var testBefore: Score
    /// MNIST test set, model after fine-tuning.
    public var testAfter: Score
    public var feedback: [FeedbackImage]
    public var gate: GateDecision
    public var unreadable: [UnreadableFile]
    public var manifest: RunManifest

    public init(testBefore: Score, testAfter: Score, feedback: [FeedbackImage], gate: GateDecision,
                unreadable: [UnreadableFile], manifest: RunManifest) {
        self.testBefore = testBefore
        self.testAfter = testAfter
        self.feedback = feedback
        self.gate = gate
        self.unreadable = unreadable
        self.manifest = manifest
    }

    /// The feedback images' outcomes counted: only images the old model got wrong can be fixed.
    public var feedbackTally: FeedbackTally { FeedbackTally(feedback.map(\.outcome)) }

    /// Fraction of feedback images the old model labelled correctly; 0 when there are none.
    public var feedbackAccuracyBefore: Double { fraction { $0.before.label == $0.trueLabel } }
    /// Fraction of feedback images the fine-tuned model labels correctly; 0 when there are none.
    public var feedbackAccuracyAfter: Double { fraction { $0.after.label == $0.trueLabel } }

    private func fraction(_ isCorrect: (FeedbackImage) -> Bool) -> Double {
        feedback.isEmpty ? 0 : Double(feedback.count(where: isCorrect)) / Double(feedback.count)
    }
}
