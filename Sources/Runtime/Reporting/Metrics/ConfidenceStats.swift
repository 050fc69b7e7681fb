/// How sure the model was, separately for its right and wrong answers.
public struct ConfidenceStats: Sendable, Equatable, Codable {
    /// Summary of one group of confidences. All values are 0 for an empty group.
    public struct Summary: Sendable, Equatable, Codable {
        public let count: Int
        public let mean: Double
        public let median: Double
        public let min: Double
        public let max: Double

        public init(_ values: [Float]) {
            count = values.count
            guard !values.isEmpty else {
                mean = 0; median = 0; min = 0; max = 0
                return
            }
            let sorted = values.map(Double.init).sorted()
            mean = sorted.reduce(0, +) / Double(sorted.count)
            let mid = sorted.count / 2
            median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
            min = sorted[0]
            max = sorted[sorted.count - 1]
        }
    }

    public let correct: Summary
    public let wrong: Summary
    /// Number of equal-width bins over 0...1 used by `correctHistogram` and `wrongHistogram`.
    public let binCount: Int
    /// Counts per bin; bin `i` holds confidences in `[i/binCount, (i+1)/binCount)`, the last bin includes 1.
    public let correctHistogram: [Int]
    public let wrongHistogram: [Int]

    public init(_ result: ClassificationResult, binCount: Int = 20) {
        let bins = Swift.max(1, binCount)
        var right: [Float] = [], wrong: [Float] = []
        var rightBins = Array(repeating: 0, count: bins), wrongBins = Array(repeating: 0, count: bins)
        for i in 0..<result.count {
            let confidence = result.confidences[i]
            let bin = Swift.min(bins - 1, Int(Double(confidence) * Double(bins)))
            if result.labels[i] == result.predictions[i] {
                right.append(confidence)
                rightBins[bin] += 1
            } else {
                wrong.append(confidence)
                wrongBins[bin] += 1
            }
        }
        correct = Summary(right)
        self.wrong = Summary(wrong)
        self.binCount = bins
        correctHistogram = rightBins
        wrongHistogram = wrongBins
    }
}
