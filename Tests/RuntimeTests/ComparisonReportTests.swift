import Foundation
import Testing
@testable import Runtime

/// The side-by-side report of two models: its agreement counts and significance test against hand-counted
/// values, its links and numbers against metrics.json, and its refusal of predictions on different test sets.
@Suite struct ComparisonReportTests {
    /// Two models over the fixtures' 10,000 test images: the first is the fixtures' classifier (its mistakes come
    /// first); the second gets images 100..<140 wrong (as 1 where the label is 0, else as 0) and the first's
    /// mistakes right except the first five of them, which it gets wrong the same way.
    static func input() throws -> ComparisonReportInput {
        let first = try ReportingFixtures.classification()
        var predictions = first.labels
        let firstWrong = first.labels.indices.filter { first.labels[$0] != first.predictions[$0] }
        for i in firstWrong.prefix(5) { predictions[i] = first.predictions[i] }
        for i in 100..<140 where first.labels[i] == first.predictions[i] { predictions[i] = first.labels[i] == 0 ? 1 : 0 }
        let second = try ClassificationResult(labels: first.labels, predictions: predictions,
                                              confidences: first.confidences.map { min(1, $0 * 0.98) })
        let speed = ComparisonReportInput.InferenceSpeed(imagesPerSecond: 21_000, batch: 1000, threads: 2, singleImageMilliseconds: 0.21)
        let images = (0..<first.count).map { ReportingFixtures.digitPixels(first.labels[$0], shift: $0) }
        return ComparisonReportInput(
            first: .init(name: "CNN", history: ReportingFixtures.history, test: first, testLoss: 0.031,
                         model: ReportingFixtures.model, trainingSeconds: 140, inference: speed),
            second: .init(name: "ViT 'small'", history: Array(ReportingFixtures.history.prefix(8)), test: second, testLoss: 0.042,
                          model: ReportingFixtures.model, trainingSeconds: 480,
                          inference: .init(imagesPerSecond: 9_000, batch: 1000, threads: 2, singleImageMilliseconds: 0.4)),
            testImages: images, manifest: ReportingFixtures.manifest(workflow: "compare"))
    }

    @Test func agreementCountsEachImageOnce() throws {
        let input = try Self.input()
        let metrics = try ComparisonMetrics(input)
        let g = metrics.agreement
        let firstWrong = input.first.test.misclassifiedCount
                #expect(g.bothRight + g.onlyFirstRight + g.onlySecondRight + g.bothWrong == 10_000)
        #expect(g.bothWrong == 5)
        #expect(g.bothWrongSameAnswer == 5)
        #expect(g.onlySecondRight == firstWrong - 5)
        #expect(firstWrong > 5 && firstWrong < 100)
        #expect(g.onlyFirstRight == 40)
        #expect(metrics.models.map(\.name) == ["CNN", "ViT 'small'"])
        #expect(metrics.models[1].epochs == 8)
        #expect(metrics.models[0].testAccuracy == input.first.test.accuracy)
    }

    /// Exact McNemar p-values worked out by hand: 2 * sum_{k<=min(b,c)} C(b+c, k) / 2^(b+c), at most 1.
    @Test func mcnemarMatchesTheBinomialTail() {
        typealias A = ComparisonMetrics.Agreement
        #expect(A.mcnemarExact(0, 0) == 1)
        #expect(abs(A.mcnemarExact(3, 0) - 0.25) < 1e-12)
        #expect(abs(A.mcnemarExact(10, 2) - 158.0 / 4096) < 1e-12)
        #expect(abs(A.mcnemarExact(2, 10) - 158.0 / 4096) < 1e-12)
        #expect(A.mcnemarExact(5, 5) == 1)
        // A large, even split stays finite and near 1; a lopsided one is tiny but not zero.
        #expect(A.mcnemarExact(500, 480) > 0.5)
        let lopsided = A.mcnemarExact(600, 10)
        #expect(lopsided > 0 && lopsided < 1e-100)
    }

    @Test(.enabled(if: ReportingWriterTests.hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func reportLinksResolveAndNumbersMatchMetricsJSON() throws {
        let folder = try ReportingFixtures.temporaryFolder("compare")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try Self.input()
        let files = try ReportWriter.writeComparisonReport(input, to: folder)
        #expect(files.first == folder.appendingPathComponent("report.md"))
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        let links = ReportingWriterTests.links(in: report)
        for chart in ["training-curves", "per-class-f1", "confusion-matrix-1", "confusion-matrix-2", "only-1-right", "only-2-right"] {
            #expect(links.contains("charts/\(chart).png"), "no link to \(chart)")
        }
        for link in links {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(link).path), "report links to missing \(link)")
        }
        // The model's name reaches gnuplot inside a quoted string: its quote must not end the string.
        let curves = try String(contentsOf: folder.appendingPathComponent("charts/training-curves.gp"), encoding: .utf8)
        #expect(curves.contains("'ViT ''small'' validation'"))

        let metrics = try ReportingWriterTests.json(folder.appendingPathComponent("metrics.json"))
        let models = try #require(metrics["models"] as? [[String: Any]])
        #expect(models.map { $0["name"] as? String } == ["CNN", "ViT 'small'"])
        let agreement = try #require(metrics["agreement"] as? [String: Any])
        for (key, row) in [("only_first_right", "Only CNN right"), ("only_second_right", "Only ViT 'small' right")] {
            let count = try #require(agreement[key] as? Int)
            #expect(report.contains("| \(row) | \(count) |"), "report's '\(row)' row is not \(count)")
        }
        for model in models {
            let accuracy = try #require(model["test_accuracy"] as? Double)
            #expect(report.contains(String(format: "%.2f%%", accuracy * 100)))
        }
        // The better model's accuracy is in bold, the slower one's speed is not.
        let better = max(input.first.test.accuracy, input.second.test.accuracy)
        let worse = min(input.first.test.accuracy, input.second.test.accuracy)
        #expect(better > worse)
        #expect(report.contains("**\(String(format: "%.2f%%", better * 100))**"))
        #expect(!report.contains("**\(String(format: "%.2f%%", worse * 100))**"))
        #expect(report.contains("| Inference, batches of 1000 on 2 threads | **21,000 images/s** | 9,000 images/s |"))
    }

    @Test(.enabled(if: ReportingWriterTests.hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func anUnmeasuredSingleImageTimeIsLeftOut() throws {
        var input = try Self.input()
        input.first.inference.singleImageMilliseconds = nil
        input.second.inference.singleImageMilliseconds = nil
        let folder = try ReportingFixtures.temporaryFolder("compare-unmeasured")
        defer { try? FileManager.default.removeItem(at: folder) }
        try ReportWriter.writeComparisonReport(input, to: folder)
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(!report.contains("One image alone"))
        let models = try #require(try ReportingWriterTests.json(folder.appendingPathComponent("metrics.json"))["models"] as? [[String: Any]])
        #expect(models.allSatisfy { ($0["inference"] as? [String: Any])?["single_image_milliseconds"] == nil })
    }

    @Test func pValuesReadAsTheVerdictDoes() {
        #expect(ComparisonReportPage.pValue(0.00001) == "< 0.0001")
        #expect(ComparisonReportPage.pValue(0.0037) == "= 0.0037")
        #expect(ComparisonReportPage.pValue(0.049996) == "< 0.05")
        #expect(ComparisonReportPage.pValue(0.05) == "= 0.0500")
        #expect(ComparisonReportPage.pValue(1) == "= 1.0000")
    }

    /// Each compared model's metrics are indexed under its name in brackets, apart from any single-model key, so
    /// even a model named `before` does not meet retrain's `test_accuracy_before`.
    @Test func runIndexKeepsEachModelApart() throws {
        let metrics = try JSONSerialization.data(withJSONObject: [
            "test_accuracy_before": 0.5,
            "models": [["name": "before", "test_accuracy": 0.9, "test_loss": 0.3], ["name": "ViT", "test_accuracy": 0.8]],
        ])
        let (headline, _) = RunIndex.headline(metrics)
        #expect(headline == ["test_accuracy_before": 0.5, "test_accuracy[before]": 0.9, "test_loss[before]": 0.3,
                             "test_accuracy[ViT]": 0.8])
        #expect(RunIndex.model(in: "test_accuracy[before]", metric: "test_accuracy") == "before")
        #expect(RunIndex.model(in: "test_accuracy_before", metric: "test_accuracy") == nil)
    }

    @Test func predictionsOnDifferentTestSetsAreRefused() throws {
        var input = try Self.input()
        input.second.test = try ClassificationResult(labels: Array(input.first.test.labels.dropLast()),
                                                     predictions: Array(input.first.test.predictions.dropLast()),
                                                     confidences: Array(input.first.test.confidences.dropLast()))
        let folder = try ReportingFixtures.temporaryFolder("compare-mismatch")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ReportError.self) { try ReportWriter.writeComparisonReport(input, to: folder) }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.md").path))
    }
}
