import Foundation
import Testing
@testable import Runtime

/// The retrain workflow's promotion gate, decided from scores alone.
@Suite struct PromotionGateTests {
    /// Scores where `right` of `total` images are labelled correctly.
    static func scored(_ set: String, _ model: String, accuracy: Double, right: Int, of total: Int) -> ScoredSet {
        let labels = [UInt8](repeating: 1, count: total)
        let predictions = (0..<total).map { $0 < right ? UInt8(1) : UInt8(2) }
        return ScoredSet(set: set, model: model, loss: 0.1, accuracy: accuracy, labels: labels, predictions: predictions,
                         confidences: [Float](repeating: 0.9, count: total))
    }

    static func evaluation(testBefore: Double, testAfter: Double, feedbackBefore: Int?, feedbackAfter: Int?) -> EvaluationValue {
        var scores = [scored("test", "model", accuracy: testAfter, right: 10, of: 10),
                      scored("test", "baseline", accuracy: testBefore, right: 10, of: 10)]
        if let feedbackBefore, let feedbackAfter {
            scores.append(scored("feedback", "model", accuracy: 0, right: feedbackAfter, of: 20))
            scores.append(scored("feedback", "baseline", accuracy: 0, right: feedbackBefore, of: 20))
        }
        return EvaluationValue(scores: scores, examples: [:], exampleIndices: [:],
                               model: ModelSummary(rows: [], totalParameters: 0, flopsPerImage: 0))
    }

    @Test func promotesWhenFeedbackImprovesAndAccuracyHolds() {
        let decision = SaveStep.gate(Self.evaluation(testBefore: 0.9950, testAfter: 0.9930, feedbackBefore: 0, feedbackAfter: 19),
                                     maxAccuracyDrop: 0.3)
        #expect(decision.promote)
        #expect(decision.reason == "feedback 0 → 19 of 20 right; MNIST test accuracy 99.50% → 99.30%, within the 0.30-point margin")
    }

    @Test func refusesWhenAccuracyFallsTooFar() {
        let decision = SaveStep.gate(Self.evaluation(testBefore: 0.9950, testAfter: 0.9910, feedbackBefore: 0, feedbackAfter: 20),
                                     maxAccuracyDrop: 0.3)
        #expect(!decision.promote)
        #expect(decision.reason == "MNIST test accuracy 99.50% → 99.10% falls by 0.40 points, more than the 0.30 allowed")
    }

    @Test func aDropExactlyAtTheMarginIsAllowed() {
        let decision = SaveStep.gate(Self.evaluation(testBefore: 0.9950, testAfter: 0.9920, feedbackBefore: 3, feedbackAfter: 4),
                                     maxAccuracyDrop: 0.3)
        #expect(decision.promote)
    }

    @Test func refusesWhenFeedbackDoesNotImprove() {
        let decision = SaveStep.gate(Self.evaluation(testBefore: 0.99, testAfter: 0.995, feedbackBefore: 5, feedbackAfter: 5),
                                     maxAccuracyDrop: 0.3)
        #expect(!decision.promote)
        #expect(decision.reason.hasPrefix("feedback 5 → 5 of 20 right: no improvement"))
    }

    @Test func refusesWithoutABaselineOrFeedback() {
        let noFeedback = SaveStep.gate(Self.evaluation(testBefore: 0.99, testAfter: 0.99, feedbackBefore: nil, feedbackAfter: nil),
                                       maxAccuracyDrop: 0.3)
        #expect(!noFeedback.promote)
        var onlyModel = Self.evaluation(testBefore: 0.99, testAfter: 0.99, feedbackBefore: 0, feedbackAfter: 1)
        onlyModel.scores.removeAll { $0.model == "baseline" }
        #expect(!SaveStep.gate(onlyModel, maxAccuracyDrop: 0.3).promote)
    }
}

@Suite struct FeedbackStoreTests {
    @Test(arguments: [
        ("pred3_true8.png", 8, 3), ("img_label_7.png", 7, nil), ("20240101-true=4-pred-9.png", 4, 9),
    ] as [(String, Int, Int?)])
    func labelsInLooseFileNames(name: String, label: Int, predicted: Int?) throws {
        let parsed = try #require(FeedbackStore.labelInName(name))
        #expect(parsed.true == label)
        #expect(parsed.predicted == predicted)
    }

    @Test func namesWithoutALabelAreNotGuessed() {
        #expect(FeedbackStore.labelInName("digit.png") == nil)
        #expect(FeedbackStore.labelInName("truex.png") == nil)
    }

    @Test func storesOnceAndSkipsDamagedEntries() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feedback-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = FeedbackStore(folder: folder)
        let digit = [UInt8](repeating: 0, count: 784).enumerated().map { $0.offset % 28 == 14 ? UInt8(255) : 0 }
        let original = Data("an upload".utf8)
        let first = try store.add(original: original, originalName: "one.png", digit: digit, trueLabel: 1, predictedLabel: 7,
                                  confidence: 0.8, modelSHA256: nil)
        guard case .stored(let entry) = first else { Issue.record("not stored: \(first)"); return }
        #expect(try store.add(original: original, originalName: "again.png", digit: digit, trueLabel: 1, predictedLabel: 7,
                              confidence: 0.8, modelSHA256: nil) == .alreadyStored(entry))
        guard case .relabelled(entry, from: 1) = try store.add(original: original, originalName: "again.png", digit: digit,
                                                               trueLabel: 4, predictedLabel: 7, confidence: 0.8, modelSHA256: nil)
        else { Issue.record("a new label for a stored image was not recorded"); return }
        let bad = folder.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try Data("not json".utf8).write(to: bad.appendingPathComponent("record.json"))
        let (items, skipped) = store.readAll { _ in [] }
        #expect(items.count == 1)
        #expect(items.first?.trueLabel == 4 && items.first?.digit == digit)
        #expect(skipped.map(\.0) == ["bad"])
    }
}
