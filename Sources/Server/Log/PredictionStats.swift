import Foundation

/// What /api/stats says about the log: counts, accuracy of the answered predictions overall and per true digit,
/// the confusion of the corrected ones (rows true digit, columns predicted), and mean confidence right vs wrong.
struct PredictionStats: Encodable, Equatable {
    struct Digit: Encodable, Equatable {
        var digit: Int
        var answered: Int
        var right: Int
        @Nullable var accuracy: Double?
    }

    struct Confidence: Encodable, Equatable {
        @Nullable var right: Double?
        @Nullable var wrong: Double?
    }

    var predictions: Int
    var answered: Int
    var confirmedRight: Int
    var corrected: Int
    @Nullable var accuracy: Double?
    var perDigit: [Digit]
    /// confusion[true][predicted], corrected predictions only.
    var confusion: [[Int]]
    var meanConfidence: Confidence

    enum CodingKeys: String, CodingKey {
        case predictions, answered, confirmedRight = "confirmed_right", corrected, accuracy, perDigit = "per_digit",
             confusion, meanConfidence = "mean_confidence"
    }

    init(total: Int, answered rows: [AnsweredPrediction]) {
        predictions = total
        answered = rows.count
        let right = rows.filter { $0.label == $0.trueLabel }
        let wrong = rows.filter { $0.label != $0.trueLabel }
        confirmedRight = right.count
        corrected = wrong.count
        accuracy = rows.isEmpty ? nil : Double(right.count) / Double(rows.count)
        perDigit = (0...9).map { d in
            let mine = rows.filter { $0.trueLabel == d }
            let ok = mine.filter { $0.label == d }.count
            return Digit(digit: d, answered: mine.count, right: ok, accuracy: mine.isEmpty ? nil : Double(ok) / Double(mine.count))
        }
        var matrix = Array(repeating: Array(repeating: 0, count: 10), count: 10)
        for row in wrong where (0...9).contains(row.trueLabel) && (0...9).contains(row.label) {
            matrix[row.trueLabel][row.label] += 1
        }
        confusion = matrix
        func mean(_ xs: [AnsweredPrediction]) -> Double? {
            xs.isEmpty ? nil : xs.map(\.confidence).reduce(0, +) / Double(xs.count)
        }
        meanConfidence = Confidence(right: mean(right), wrong: mean(wrong))
    }
}
