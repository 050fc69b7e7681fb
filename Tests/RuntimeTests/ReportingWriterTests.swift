import Datasets
import Foundation
import Testing
@testable import Runtime

@Suite struct ReportingWriterTests {
    static let hasGnuplot = Gnuplot.locate() != nil

    /// Relative targets of every Markdown link and image in `markdown`.
    static func links(in markdown: String) -> [String] {
        markdown.matches(of: /\]\(([^)\s]+)\)/).map { String($0.1) }
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func trainingReportLinksResolveInBothCopies() throws {
        let folder = try ReportingFixtures.temporaryFolder("train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try ReportWriter.writeTrainingReport(ReportingFixtures.trainingInput(), to: folder)
        #expect(files.first == folder.appendingPathComponent("report.md"))
        for file in files {
            #expect(FileManager.default.fileExists(atPath: file.path), "returned \(file.path) does not exist")
        }
        let run = folder.appendingPathComponent("runs/2025-03-14T09-15-02Z")
        for base in [folder, run] {
            let report = try String(contentsOf: base.appendingPathComponent("report.md"), encoding: .utf8)
            let links = Self.links(in: report)
            #expect(links.count >= 12, "only \(links.count) links")
            for link in links {
                #expect(!link.hasPrefix("/") && !link.contains(".."), "\(link) is not relative to the report")
                #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent(link).path),
                        "\(base.lastPathComponent)/report.md links to missing \(link)")
            }
            for chart in ["training-curves", "confusion-matrix", "per-class-accuracy", "confidence-histogram"] {
                #expect(links.contains("charts/\(chart).png"))
                for ext in ["gp", "dat"] {
                    #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent("charts/\(chart).\(ext)").path))
                }
            }
            #expect(links.contains("charts/misclassified.png"))
            #expect(links.contains("charts/pair-4-as-9.png"))
        }
        #expect(try Data(contentsOf: folder.appendingPathComponent("report.md"))
                == Data(contentsOf: run.appendingPathComponent("report.md")))
    }

    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func trainingReportNumbersMatchMetricsJSON() throws {
        let folder = try ReportingFixtures.temporaryFolder("numbers")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try ReportingFixtures.trainingInput()
        try ReportWriter.writeTrainingReport(input, to: folder)
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        let metrics = try Self.json(folder.appendingPathComponent("metrics.json"))

        let accuracy = try #require(metrics["test_accuracy"] as? Double)
        let loss = try #require(metrics["test_loss"] as? Double)
        let misclassified = try #require(metrics["misclassified"] as? Int)
        #expect(abs(accuracy - 0.9949) < 1e-12)
        #expect(abs(loss - 0.02876) < 1e-12)
        #expect(misclassified == 51)
        #expect(report.contains("| **\(String(format: "%.2f", accuracy * 100))%** | \(String(format: "%.4f", loss)) | "
            + "\(misclassified) of 10,000 | 4 min 22 s |"))

        let perClass = try #require(metrics["per_class"] as? [[String: Any]])
        #expect(perClass.count == 10)
        for row in perClass {
            let label = try #require(row["label"] as? Int)
            let cells = [row["precision"], row["recall"], row["f1"]].compactMap { $0 as? Double }
                .map { String(format: "%.4f", $0) }
            let support = try #require(row["support"] as? Int)
            let line = "| \(label) | \(cells.joined(separator: " | ")) | \(Format.grouped(support)) |"
            #expect(report.contains(line), "missing per-class row \(line)")
        }
        let pairs = try #require(metrics["most_confused"] as? [[String: Any]])
        let top = try #require(pairs.first)
        #expect(top["true_label"] as? Int == 4 && top["predicted"] as? Int == 9 && top["count"] as? Int == 9)
        #expect(report.contains("| 4 → 9 | 9 |"))
        let matrix = try #require(metrics["confusion_matrix"] as? [[Int]])
        #expect(matrix[4][9] == 9)

        for heading in ["# Training report: train", "## Model", "## Training history", "## Confusion matrix",
                        "## Per-class results", "## Confidence", "## Most confused pairs", "## Misclassified digits",
                        "## Run manifest"] {
            #expect(report.contains(heading + "\n"), "missing section \(heading)")
        }
        #expect(report.contains("**Total parameters:** 1,199,882"))
        #expect(report.contains("| train | `epochs=12` `batch=64` `lr=0.001` | 4 min 22 s | ran |"))
        #expect(report.contains("| load | `limit=60000` | 0.41 s | cache |"))
        #expect(report.contains("`0123456789abcdef0123`"))
    }

    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func newerRunReplacesChartsAndKeepsTheOlderRun() throws {
        let folder = try ReportingFixtures.temporaryFolder("replace")
        defer { try? FileManager.default.removeItem(at: folder) }
        var input = try ReportingFixtures.trainingInput()
        try ReportWriter.writeTrainingReport(input, to: folder)
        // A perfect second run: no misclassified grid, no pair strips.
        let labels = input.test.labels
        input.test = try ClassificationResult(labels: labels, predictions: labels, confidences: input.test.confidences)
        input.misclassified = []
        input.manifest.date = input.manifest.date.addingTimeInterval(3600)
        try ReportWriter.writeTrainingReport(input, to: folder)

        let charts = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("charts").path)
        #expect(!charts.contains("misclassified.png"))
        #expect(!charts.contains { $0.hasPrefix("pair-") })
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("No test image was misclassified."))
        #expect(report.contains("| **100.00%** |"))
        let runs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("runs").path).sorted()
        #expect(runs == ["2025-03-14T09-15-02Z", "2025-03-14T10-15-02Z"])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs/2025-03-14T09-15-02Z/charts/misclassified.png").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".charts.\(getpid()).old").path))
    }

    @Test func retrainReportShowsDecisionComparisonAndUnreadableFiles() throws {
        let folder = try ReportingFixtures.temporaryFolder("retrain")
        defer { try? FileManager.default.removeItem(at: folder) }
        // The retrain report draws only composed images, so it needs no gnuplot.
        let files = try ReportWriter.writeRetrainReport(ReportingFixtures.retrainInput(), to: folder, gnuplot: nil)
        #expect(files.contains(folder.appendingPathComponent("charts/feedback.png")))
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        let metrics = try Self.json(folder.appendingPathComponent("metrics.json"))
        #expect(metrics["test_accuracy"] as? Double == 0.9908)
        #expect(metrics["test_loss"] as? Double == 0.0301)
        #expect(metrics["test_accuracy_before"] as? Double == 0.9912)
        #expect(metrics["promoted"] as? Bool == true)
        #expect(abs((metrics["feedback_accuracy_after"] as? Double ?? -1) - 0.9) < 1e-12)

        #expect(report.contains("**Decision: promoted**: test accuracy fell 0.04 pp (allowed 0.20 pp)"))
        #expect(report.contains("| MNIST test accuracy | 99.12% | 99.08% | -0.04 pp |"))
        #expect(report.contains("| MNIST test loss | 0.0288 | 0.0301 | +0.0013 |"))
        #expect(report.contains("| Feedback images the model got wrong: fixed* | 0 of 10 | 9 of 10 | +9 |"))
        #expect(report.contains("| `fb-7.png` | 7 | 0 (76.00%) | 1 (88.00%) | still wrong |"))
        #expect(report.contains("| `fb-6.png` | 6 | 9 (71.00%) | 6 (84.00%) | fixed |"))
        #expect(report.contains("part of what the new model was just fine-tuned on"))
        #expect(report.contains("- `broken.png`: damaged PNG: IDAT: CRC error"))
        #expect(report.contains("## Run manifest"))
        for base in [folder, folder.appendingPathComponent("runs/2025-03-14T09-15-02Z")] {
            let text = try String(contentsOf: base.appendingPathComponent("report.md"), encoding: .utf8)
            for link in Self.links(in: text) {
                #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent(link).path), "missing \(link)")
            }
        }
    }

    /// Images the old model already got right are "kept right" (or "broken"), never "fixed", and say so in
    /// metrics.json too.
    @Test func retrainReportNeverCallsAnImageThatWasRightFixed() throws {
        let folder = try ReportingFixtures.temporaryFolder("kept")
        defer { try? FileManager.default.removeItem(at: folder) }
        var input = ReportingFixtures.retrainInput()
        input.feedback[0].before = .init(label: 0, confidence: 0.9)    // right before, right after
        input.feedback[1].before = .init(label: 1, confidence: 0.8)    // right before, wrong after
        input.feedback[1].after = .init(label: 7, confidence: 0.7)
        try ReportWriter.writeRetrainReport(input, to: folder, gnuplot: nil)
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("| `fb-0.png` | 0 | 0 (90.00%) | 0 (60.00%) | kept right |"))
        #expect(report.contains("| `fb-1.png` | 1 | 1 (80.00%) | 7 (70.00%) | broken |"))
        #expect(report.contains("| Feedback images the model got wrong: fixed* | 0 of 8 | 7 of 8 | +7 |"))
        #expect(report.contains("| Feedback images it already got right: kept right* | 2 of 2 | 1 of 2 | −1 broken |"))
        #expect(!report.contains(" yes |"))
        let metrics = try Self.json(folder.appendingPathComponent("metrics.json"))
        let outcomes = try #require(metrics["feedback_outcomes"] as? [String: Int])
        #expect(outcomes == ["wrong_before": 8, "fixed": 7, "right_before": 2, "kept_right": 1])
        let perImage = try #require(metrics["feedback"] as? [[String: Any]])
        #expect(perImage.map { $0["outcome"] as? String } == ["kept right", "broken"] + Array(repeating: "fixed", count: 5)
            + ["still wrong", "fixed", "fixed"])
    }

    /// The 40 shown are the most confident mistakes, as the text says; every confused pair gets its examples even
    /// when they are not among those 40.
    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func gridIsTheMostConfidentAndEveryPairHasExamples() throws {
        let folder = try ReportingFixtures.temporaryFolder("pairs")
        defer { try? FileManager.default.removeItem(at: folder) }
        var input = try ReportingFixtures.trainingInput()
        let all = input.misclassified
        let ranked = all.sorted { $0.confidence > $1.confidence }
        // Evaluate keeps 40 most confident mistakes in the grid list; the rest only as pair examples.
        input.misclassified = Array(ranked.prefix(40)).shuffled()
        input.pairExamples = Array(ranked.dropFirst(40))
        try ReportWriter.writeTrainingReport(input, to: folder)
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("The 40 most confident of the 51 misclassified test images, most confident first."))
        #expect(!report.contains("no example kept"))
        #expect(!report.contains("The first"))
        let pairs = ConfusionMatrix(input.test).mostConfusedPairs(limit: ReportWriter.pairRows)
        for pair in pairs {
            #expect(report.contains("charts/pair-\(pair.trueLabel)-as-\(pair.predicted).png"))
        }
        // The grid's data file lists the 40 in confidence order.
        let grid = try ChartRenderer(folder: folder, gnuplot: nil).misclassifiedGrid(Array(ranked.prefix(40)), name: "check")
        #expect(try Data(contentsOf: grid.png) == Data(contentsOf: folder.appendingPathComponent("charts/misclassified.png")))
    }

    @Test func manifestSaysThePlotStepIsStillRunning() {
        var manifest = ReportingFixtures.manifest()
        manifest.steps.append(.init(name: "plot", parameters: [], seconds: 0, cached: false))
        manifest.steps.append(.init(name: "after", parameters: [], seconds: 0, cached: false))
        let text = ManifestSection.render(manifest.writtenBy("plot"))
        #expect(text.contains("| plot | — | — | this step: running (writes this report; its time is in the log) |"))
        #expect(text.contains("| after | — | — | not run |"))
        #expect(text.contains("| train | `epochs=12` `batch=64` `lr=0.001` | 4 min 22 s | ran |"))
        #expect(!text.contains("| plot | — | 0.00 s |"))
        #expect(text.contains("(plot was still running)"))
    }

    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func fashionMNISTClassesAreNamed() throws {
        let folder = try ReportingFixtures.temporaryFolder("fashion")
        defer { try? FileManager.default.removeItem(at: folder) }
        var input = try ReportingFixtures.trainingInput()
        input.manifest.steps[0].parameters = [("dataset", "fashion-mnist")]
        input.classNames = DatasetKind.classNames(in: input.manifest)
        #expect(input.classNames?[9] == "Ankle boot")
        try ReportWriter.writeTrainingReport(input, to: folder)
        let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("| 4 Coat → 9 Ankle boot | 9 |"))
        #expect(report.contains("| 0 T-shirt/top | "))
        #expect(report.contains("0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot"))
        input.manifest.steps[0].parameters = [("dataset", "mnist")]
        #expect(DatasetKind.classNames(in: input.manifest) == nil)
    }

    @Test func badInputFailsBeforeAnythingIsWritten() throws {
        let folder = try ReportingFixtures.temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        var input = try ReportingFixtures.trainingInput()
        input.misclassified[3].pixels = [0, 1, 2]
        #expect(throws: ReportError(kind: .invalidInput, subject: "misclassified example 3",
                                    detail: "has 3 pixels; expected 784 (28x28)")) {
            try ReportWriter.writeTrainingReport(input, to: folder)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func gnuplotMissingFailsTheTrainingReportWithAnActionableMessage() throws {
        let folder = try ReportingFixtures.temporaryFolder("nognuplot")
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: ReportError.self) {
            try ReportWriter.writeTrainingReport(ReportingFixtures.trainingInput(), to: folder, gnuplot: nil)
        }
        #expect(error?.kind == .gnuplotMissing)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.md").path))
    }
}
