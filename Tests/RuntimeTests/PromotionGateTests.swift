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

    /// Feedback scores image by image: `before` and `after` say which of the images each model gets right.
    static func evaluation(testBefore: Double, testAfter: Double, before: [Bool], after: [Bool]) -> EvaluationValue {
        func scored(_ model: String, _ right: [Bool]) -> ScoredSet {
            ScoredSet(set: "feedback", model: model, loss: 0.1, accuracy: 0, labels: [UInt8](repeating: 1, count: right.count),
                      predictions: right.map { $0 ? 1 : 2 }, confidences: [Float](repeating: 0.9, count: right.count))
        }
        var e = evaluation(testBefore: testBefore, testAfter: testAfter, feedbackBefore: nil, feedbackAfter: nil)
        e.scores += [scored("model", after), scored("baseline", before)]
        return e
    }

    @Test func promotesWhenFeedbackImprovesAndAccuracyHolds() {
        let decision = SaveStep.gate(Self.evaluation(testBefore: 0.9950, testAfter: 0.9930, feedbackBefore: 0, feedbackAfter: 19),
                                     maxAccuracyDrop: 0.3)
        #expect(decision.promote)
        #expect(decision.reason == "feedback: fixed 19 of the 20 the current model got wrong; "
            + "MNIST test accuracy 99.50% → 99.30%, within the 0.30-point margin")
        #expect(decision.feedback?.fixed == 19 && decision.feedback?.wrongBefore == 20)
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

    /// The issue's case: every feedback image was already right, fine-tuning kept them right and MNIST accuracy
    /// rose (96.76% -> 97.63%); the old gate refused because the feedback count did not rise.
    @Test func feedbackTheModelAlreadyGetsRightDoesNotBlockABetterModel() {
        let all = [Bool](repeating: true, count: 4)
        let decision = SaveStep.gate(Self.evaluation(testBefore: 0.9676, testAfter: 0.9763, before: all, after: all),
                                     maxAccuracyDrop: 0.3)
        #expect(decision.promote)
        #expect(decision.feedback == FeedbackTally([.keptRight, .keptRight, .keptRight, .keptRight]))
        #expect(decision.reason == "feedback: kept 4 of the 4 it already got right; MNIST test accuracy 96.76% → 97.63%, a rise")
        #expect(!decision.reason.contains("fixed"))
    }

    @Test func imagesRightBeforeAreNeverCountedAsFixed() {
        // Two were right before (one kept, one broken), two wrong (one fixed): net 0, so no promotion.
        let decision = SaveStep.gate(Self.evaluation(testBefore: 0.99, testAfter: 0.995, before: [true, true, false, false],
                                                     after: [true, false, true, false]), maxAccuracyDrop: 0.3)
        #expect(decision.feedback?.fixed == 1 && decision.feedback?.wrongBefore == 2)
        #expect(decision.feedback?.keptRight == 1 && decision.feedback?.broken == 1)
        #expect(!decision.promote)
        #expect(decision.reason == "feedback: fixed 1 of the 2 the current model got wrong; kept 1 of the 2 it already got "
            + "right (1 broken): it breaks 1 and fixes 1, no net gain (MNIST test accuracy 99.00% → 99.50%)")
    }

    @Test func breakingAnImageCountsAgainstButMoreFixesStillWin() {
        let decision = SaveStep.gate(Self.evaluation(testBefore: 0.99, testAfter: 0.99, before: [true, false, false, false],
                                                     after: [false, true, true, false]), maxAccuracyDrop: 0.3)
        #expect(decision.promote)
        #expect(decision.feedback?.net == 1)
    }

    @Test func refusesWhenNothingIsFixedAndMNISTDidNotRise() {
        let decision = SaveStep.gate(Self.evaluation(testBefore: 0.99, testAfter: 0.99, feedbackBefore: 5, feedbackAfter: 5),
                                     maxAccuracyDrop: 0.3)
        #expect(!decision.promote)
        #expect(decision.reason.hasPrefix("feedback: fixed 0 of the 15 the current model got wrong; kept 5 of the 5 it already "
            + "got right: no feedback image fixed and no MNIST gain"))
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
        #expect(skipped.first?.1 == "record.json: not valid JSON")
    }

    /// Hand-written records give one line naming the field, never a DecodingError dump.
    @Test func malformedRecordsGiveAOneLineReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feedback-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fields = #""predicted_label": 3, "reported_at": "2026-01-01T00:00:00Z", "original_name": "a.png", "content_sha256": "ab""#
        let records = [
            "a-missing": "{\(fields)}",
            "b-string": #"{"true_label": "seven", "# + fields + "}",
            "c-null": #"{"true_label": null, "# + fields + "}",
        ]
        for (name, json) in records {
            let entry = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: entry, withIntermediateDirectories: true)
            try Data(json.utf8).write(to: entry.appendingPathComponent("record.json"))
        }
        let noRecord = folder.appendingPathComponent("d-no-record")
        try FileManager.default.createDirectory(at: noRecord, withIntermediateDirectories: true)
        let (items, skipped) = FeedbackStore(folder: folder).readAll { _ in [] }
        #expect(items.isEmpty)
        #expect(skipped.map(\.0) == ["a-missing", "b-string", "c-null", "d-no-record"])
        #expect(skipped.map(\.1) == [
            "record.json: field 'true_label' is missing",
            "record.json: field 'true_label' should be a number",
            "record.json: field 'true_label' is null; it should be a number",
            "record.json is missing",
        ])
        for (_, reason) in skipped {
            #expect(!reason.contains("\n") && !reason.contains("DecodingError") && !reason.contains("CodingKeys"))
        }
    }

    @Test func aBlankDigitIsNotStored() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("feedback-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: NoInkFound.self) {
            try FeedbackStore(folder: folder).add(original: Data("blank".utf8), originalName: "blank.png",
                                                  digit: [UInt8](repeating: 0, count: 784), trueLabel: 3, predictedLabel: 1,
                                                  confidence: nil, modelSHA256: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
}
