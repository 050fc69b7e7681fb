/// One class's row of a classification report.
public struct ClassMetrics: Sendable, Equatable, Codable {
    public let label: Int
    /// Of the examples predicted as this class, the fraction that are.
    public let precision: Double
    /// Of the examples of this class, the fraction predicted as it (the class's accuracy).
    public let recall: Double
    /// Harmonic mean of precision and recall.
    public let f1: Double
    /// Number of examples of this class.
    public let support: Int

    public init(label: Int, precision: Double, recall: Double, f1: Double, support: Int) {
        self.label = label
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
    }
}
