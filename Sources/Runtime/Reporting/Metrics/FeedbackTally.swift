/// What fine-tuning did to each feedback image, judged against the baseline model's answer: only an image the
/// baseline got wrong can be fixed; one it already got right can only be kept right or broken.
public enum FeedbackOutcome: String, Sendable, Equatable, Codable {
    /// Wrong before, right after.
    case fixed
    /// Wrong before and after.
    case stillWrong = "still wrong"
    /// Right before and after (reported as wrong, but the baseline model already gets it right).
    case keptRight = "kept right"
    /// Right before, wrong after: counts against promotion.
    case broken

    public init(trueLabel: Int, before: Int, after: Int) {
        switch (before == trueLabel, after == trueLabel) {
        case (false, true): self = .fixed
        case (false, false): self = .stillWrong
        case (true, true): self = .keptRight
        case (true, false): self = .broken
        }
    }
}

/// The feedback set's outcomes counted, as the gate and the report state them.
public struct FeedbackTally: Sendable, Equatable, Codable {
    /// Images the baseline model got wrong, and how many of those the fine-tuned model gets right.
    public var wrongBefore = 0
    public var fixed = 0
    /// Images the baseline model already got right, and how many of those stay right.
    public var rightBefore = 0
    public var keptRight = 0

    /// Images that were right before and are wrong after.
    public var broken: Int { rightBefore - keptRight }
    /// Fixed minus broken: what fine-tuning gained on the feedback images.
    public var net: Int { fixed - broken }

    public init(_ outcomes: some Sequence<FeedbackOutcome>) {
        for outcome in outcomes {
            switch outcome {
            case .fixed: wrongBefore += 1; fixed += 1
            case .stillWrong: wrongBefore += 1
            case .keptRight: rightBefore += 1; keptRight += 1
            case .broken: rightBefore += 1
            }
        }
    }

    /// From true labels and the two models' predictions, image by image.
    public init(labels: [UInt8], before: [UInt8], after: [UInt8]) {
        self.init(labels.indices.map { FeedbackOutcome(trueLabel: Int(labels[$0]), before: Int(before[$0]), after: Int(after[$0])) })
    }

    /// `fixed 3 of 4 wrong before; kept 2 of 2 right` (the parts that apply).
    public var summary: String {
        var parts: [String] = []
        if wrongBefore > 0 { parts.append("fixed \(fixed) of the \(wrongBefore) the current model got wrong") }
        if rightBefore > 0 {
            parts.append("kept \(keptRight) of the \(rightBefore) it already got right" + (broken > 0 ? " (\(broken) broken)" : ""))
        }
        return "feedback: " + parts.joined(separator: "; ")
    }
}
