/// A true class the model mistook for another, and how often.
public struct ConfusedPair: Sendable, Equatable, Codable {
    public let trueLabel: Int
    public let predicted: Int
    public let count: Int

    public init(trueLabel: Int, predicted: Int, count: Int) {
        self.trueLabel = trueLabel
        self.predicted = predicted
        self.count = count
    }
}
