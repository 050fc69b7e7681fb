import Foundation
import NeuralNet
import Testing
@testable import Runtime

@Suite struct ReportingMetricsTests {
    static let tolerance = 1e-9

    // labels 0 0 1 1 2 2, predictions 0 1 1 1 2 0  ->  [[1,1,0],[0,2,0],[1,0,1]]
    static func small() throws -> ClassificationResult {
        try ClassificationResult(labels: [0, 0, 1, 1, 2, 2], predictions: [0, 1, 1, 1, 2, 0],
                                 confidences: [0.9, 0.6, 1.0, 0.8, 0.5, 0.7], classCount: 3)
    }

    @Test func confusionMatrixCountsPairs() throws {
        let matrix = ConfusionMatrix(try Self.small())
        #expect(matrix.counts == [[1, 1, 0], [0, 2, 0], [1, 0, 1]])
        #expect(matrix.total == 6)
        #expect(matrix.correct == 4)
        #expect(abs(matrix.accuracy - 4.0 / 6.0) < Self.tolerance)
        #expect(abs(try Self.small().accuracy - 4.0 / 6.0) < Self.tolerance)
        #expect(try Self.small().misclassifiedCount == 2)
    }

    @Test func perClassPrecisionRecallF1() throws {
        let rows = ConfusionMatrix(try Self.small()).perClass
        let expected: [(precision: Double, recall: Double, f1: Double, support: Int)] = [
            (0.5, 0.5, 0.5, 2), (2.0 / 3.0, 1.0, 0.8, 2), (1.0, 0.5, 2.0 / 3.0, 2),
        ]
        #expect(rows.count == 3)
        for (row, want) in zip(rows, expected) {
            #expect(abs(row.precision - want.precision) < Self.tolerance, "class \(row.label) precision")
            #expect(abs(row.recall - want.recall) < Self.tolerance, "class \(row.label) recall")
            #expect(abs(row.f1 - want.f1) < Self.tolerance, "class \(row.label) f1")
            #expect(row.support == want.support)
        }
    }

    @Test func classesNeverPredictedOrAbsentGiveZeroNotNaN() throws {
        // Class 1 never occurs and is never predicted; class 2 occurs but is never predicted.
        let result = try ClassificationResult(labels: [0, 2], predictions: [0, 0], confidences: [1, 1], classCount: 3)
        let rows = ConfusionMatrix(result).perClass
        #expect(rows[1] == ClassMetrics(label: 1, precision: 0, recall: 0, f1: 0, support: 0))
        #expect(rows[2] == ClassMetrics(label: 2, precision: 0, recall: 0, f1: 0, support: 1))
        #expect(abs(rows[0].precision - 0.5) < Self.tolerance)
        #expect(rows[0].recall == 1)
    }

    @Test func mostConfusedPairsSortedByCountThenLabels() throws {
        let result = try ClassificationResult(
            labels: [4, 4, 4, 7, 7, 3, 3, 9, 1],
            predictions: [9, 9, 9, 2, 2, 5, 5, 9, 1],
            confidences: Array(repeating: 0.5, count: 9))
        let pairs = ConfusionMatrix(result).mostConfusedPairs()
        #expect(pairs == [ConfusedPair(trueLabel: 4, predicted: 9, count: 3),
                          ConfusedPair(trueLabel: 3, predicted: 5, count: 2),
                          ConfusedPair(trueLabel: 7, predicted: 2, count: 2)])
        #expect(ConfusionMatrix(result).mostConfusedPairs(limit: 1).count == 1)
        #expect(ConfusionMatrix(result).mostConfusedPairs(limit: 0).isEmpty)
    }

    @Test func confidenceStatsSplitCorrectAndWrong() throws {
        // Values exactly representable as Float, so the bin edges are unambiguous.
        let result = try ClassificationResult(labels: [0, 1, 2, 3, 4], predictions: [0, 1, 2, 0, 0],
                                              confidences: [0.875, 1.0, 0.5, 0.25, 0.625])
        let stats = ConfidenceStats(result, binCount: 10)
        #expect(stats.correct.count == 3)
        #expect(abs(stats.correct.mean - 2.375 / 3) < 1e-9)
        #expect(abs(stats.correct.median - 0.875) < 1e-9)
        #expect(abs(stats.correct.min - 0.5) < 1e-9)
        #expect(abs(stats.correct.max - 1.0) < 1e-9)
        #expect(stats.wrong.count == 2)
        #expect(abs(stats.wrong.median - 0.4375) < 1e-9)  // even count: mean of the middle two
        // 1.0 falls in the last bin rather than past the end.
        #expect(stats.correctHistogram == [0, 0, 0, 0, 0, 1, 0, 0, 1, 1])
        #expect(stats.wrongHistogram == [0, 0, 1, 0, 0, 0, 1, 0, 0, 0])
        let empty = ConfidenceStats.Summary([])
        #expect(empty.count == 0 && empty.mean == 0)
    }

    @Test func invalidResultsAreRejectedWithTheOffendingValue() {
        #expect(throws: ReportError(kind: .invalidInput, subject: "ClassificationResult",
                                    detail: "2 labels, 1 predictions and 2 confidences; give one of each per example")) {
            try ClassificationResult(labels: [0, 1], predictions: [0], confidences: [1, 1])
        }
        #expect(throws: ReportError(kind: .invalidInput, subject: "labels[1]", detail: "10 is outside 0..<10")) {
            try ClassificationResult(labels: [0, 10], predictions: [0, 1], confidences: [1, 1])
        }
        #expect(throws: ReportError(kind: .invalidInput, subject: "predictions[0]", detail: "-1 is outside 0..<10")) {
            try ClassificationResult(labels: [0], predictions: [-1], confidences: [1])
        }
        #expect(throws: ReportError(kind: .invalidInput, subject: "confidences[0]", detail: "1.5 is not a probability in 0...1")) {
            try ClassificationResult(labels: [0], predictions: [0], confidences: [1.5])
        }
    }

    @Test func retrainFeedbackAccuracy() {
        var input = ReportingFixtures.retrainInput()
        #expect(input.feedbackAccuracyBefore == 0)
        #expect(abs(input.feedbackAccuracyAfter - 0.9) < Self.tolerance)
        input.feedback = []
        #expect(input.feedbackAccuracyAfter == 0)
    }

    @Test func formatting() {
        #expect(Format.percent(0.99123) == "99.12%")
        #expect(Format.percent(1) == "100.00%")
        #expect(Format.grouped(1_199_882) == "1,199,882")
        #expect(Format.grouped(999) == "999")
        #expect(Format.grouped(-1000) == "-1,000")
        #expect(Format.si(24_060_000) == "24.06 M")
        #expect(Format.duration(262.4) == "4 min 22 s")
        #expect(Format.duration(3.2) == "3.20 s")
        #expect(ChartRenderer.percent(0.999) == "99%")
        #expect(ChartRenderer.percent(1) == "100%")
        #expect(Markdown.escapeCell("a|b") == "a\\|b")
    }

    @Test func runFolderNameIsUTCAndColonFree() {
        var manifest = ReportingFixtures.manifest()
        // Named as the runner names run folders.
        #expect(manifest.runFolderName == "2025-03-14T09-15-02Z")
        #expect(manifest.runFolderName == Timestamp.folderName(manifest.date))
        #expect(manifest.isoDate == "2025-03-14T09:15:02Z")
        manifest.runFolder = "2025-03-14T09-15-02Z-2"
        #expect(manifest.runFolderName == "2025-03-14T09-15-02Z-2")
    }

    /// docs/REPORTS.md's example run folder is spelled as real ones are.
    @Test func reportsDocumentNamesRunFoldersAsTheRunnerDoes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/REPORTS.md"), encoding: .utf8)
        let example = try #require(text.firstMatch(of: /e\.g\. `([^`]+)`/)).1
        let date = try #require(Timestamp.date(String(example).replacingOccurrences(of: "-", with: ":")
            .replacingOccurrences(of: #"^(\d{4}):(\d{2}):"#, with: "$1-$2-", options: .regularExpression)))
        #expect(String(example) == Timestamp.folderName(date))
        #expect(!text.contains("20250314T091502Z"))
    }
}

@Suite struct ReportingModelSummaryTests {
    static let reference: [LayerSpec] = [
        .conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, stride: 1, padding: 0), .relu,
        .conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, stride: 1, padding: 0), .relu,
        .maxpool2d(kernelSize: 2, stride: 2), .dropout(p: 0.25), .flatten,
        .dense(inFeatures: 9216, outFeatures: 128), .relu, .dropout(p: 0.5), .dense(inFeatures: 128, outFeatures: 10),
    ]

    @Test func referenceCNNMatchesHandCount() throws {
        let summary = try ModelSummary(layers: Self.reference)
        // Matches the hand-written fixture (PyTorch's count for the same Sequential).
        #expect(summary.rows == ReportingFixtures.model.rows)
        #expect(summary.totalParameters == 1_199_882)
        // 2 * (1*9*32*26*26 + 32*9*64*24*24 + 9216*128 + 128*10)
        #expect(summary.flopsPerImage == 23_984_896)
    }

    @Test func mismatchedLayersNameTheLayer() {
        #expect(throws: ReportError(kind: .invalidInput, subject: "layers",
                                    detail: "layer 2 (dense(100->10)): expects in_features=100 (in_features=9216 fits), "
                                        + "but its input has shape [9216]")) {
            try ModelSummary(layers: [.conv2d(inChannels: 1, outChannels: 16, kernelSize: 5, stride: 1, padding: 2),
                                      .flatten, .dense(inFeatures: 100, outFeatures: 10)], input: [1, 24, 24])
        }
    }
}
