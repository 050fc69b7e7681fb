/// A model's predictions on a labelled set: what the evaluation step hands to the report.
public struct ClassificationResult: Sendable, Equatable {
    /// The true class of each example, in `0..<classCount`.
    public let labels: [Int]
    /// The predicted class (arg-max) of each example, in `0..<classCount`.
    public let predictions: [Int]
    /// The probability the model gave its prediction (the largest softmax output), in 0...1.
    public let confidences: [Float]
    public let classCount: Int

    /// Checks that the arrays line up and every value is in range, so later metrics never index out of bounds.
    public init(labels: [Int], predictions: [Int], confidences: [Float], classCount: Int = 10) throws(ReportError) {
        guard classCount >= 1 else {
            throw ReportError(kind: .invalidInput, subject: "classCount", detail: "must be at least 1, got \(classCount)")
        }
        guard labels.count == predictions.count, labels.count == confidences.count else {
            throw ReportError(kind: .invalidInput, subject: "ClassificationResult",
                              detail: "\(labels.count) labels, \(predictions.count) predictions and "
                                  + "\(confidences.count) confidences; give one of each per example")
        }
        if let i = labels.firstIndex(where: { !(0..<classCount).contains($0) }) {
            throw ReportError(kind: .invalidInput, subject: "labels[\(i)]",
                              detail: "\(labels[i]) is outside 0..<\(classCount)")
        }
        if let i = predictions.firstIndex(where: { !(0..<classCount).contains($0) }) {
            throw ReportError(kind: .invalidInput, subject: "predictions[\(i)]",
                              detail: "\(predictions[i]) is outside 0..<\(classCount)")
        }
        if let i = confidences.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw ReportError(kind: .invalidInput, subject: "confidences[\(i)]",
                              detail: "\(confidences[i]) is not a probability in 0...1")
        }
        self.labels = labels
        self.predictions = predictions
        self.confidences = confidences
        self.classCount = classCount
    }

    public var count: Int { labels.count }

    /// Fraction of examples predicted correctly; 0 for an empty set.
    public var accuracy: Double {
        guard count > 0 else { return 0 }
        return Double(zip(labels, predictions).count { $0 == $1 }) / Double(count)
    }

    public var misclassifiedCount: Int { zip(labels, predictions).count { $0 != $1 } }
}
