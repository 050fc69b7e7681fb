/// Counts of (true class, predicted class) pairs. `counts[t][p]` is how many examples of class `t` were
/// predicted as `p`; the diagonal holds the correct predictions.
public struct ConfusionMatrix: Sendable, Equatable {
    public let counts: [[Int]]

    public var classCount: Int { counts.count }

    public init(_ result: ClassificationResult) {
        var counts = Array(repeating: Array(repeating: 0, count: result.classCount), count: result.classCount)
        for (label, prediction) in zip(result.labels, result.predictions) {
            counts[label][prediction] += 1
        }
        self.counts = counts
    }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public var correct: Int { (0..<classCount).reduce(0) { $0 + counts[$1][$1] } }

    /// Fraction correct; 0 for an empty matrix.
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Precision, recall, F1 and support per class. A class never predicted has precision 0, a class with no
    /// examples has recall 0, and F1 is 0 when both are 0 (scikit-learn's `zero_division=0`), so every number
    /// stays finite and JSON-encodable.
    public var perClass: [ClassMetrics] {
        (0..<classCount).map { c in
            let truePositives = counts[c][c]
            let support = counts[c].reduce(0, +)
            let predicted = counts.reduce(0) { $0 + $1[c] }
            let precision = predicted == 0 ? 0 : Double(truePositives) / Double(predicted)
            let recall = support == 0 ? 0 : Double(truePositives) / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassMetrics(label: c, precision: precision, recall: recall, f1: f1, support: support)
        }
    }

    /// Off-diagonal cells with at least one example, most frequent first; ties ordered by true then predicted
    /// class so the list is the same on every run.
    public func mostConfusedPairs(limit: Int = .max) -> [ConfusedPair] {
        var pairs: [ConfusedPair] = []
        for t in 0..<classCount {
            for p in 0..<classCount where t != p && counts[t][p] > 0 {
                pairs.append(ConfusedPair(trueLabel: t, predicted: p, count: counts[t][p]))
            }
        }
        pairs.sort { a, b in
            if a.count != b.count { return a.count > b.count }
            if a.trueLabel != b.trueLabel { return a.trueLabel < b.trueLabel }
            return a.predicted < b.predicted
        }
        return Array(pairs.prefix(max(0, limit)))
    }
}
