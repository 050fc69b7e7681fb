import Foundation
import Tensor

/// Writes a workflow's report, charts and metrics.
///
/// Layout, for a workflow folder `Outputs/<workflow>/`:
///
///     runs/<UTC timestamp>/report.md, metrics.json, charts/…   the run's own complete copy
///     report.md, metrics.json, charts/…                        the newest run, copied from the above
///
/// Each copy carries its own `charts/` folder and the report links `charts/<name>.png`, so both render on
/// GitHub and neither depends on the other. The run folder is written completely first; the top level is
/// replaced only after, so a failed chart never leaves a half-new report at the top.
public enum ReportWriter {
    /// How many misclassified digits the training report's grid shows.
    public static let misclassifiedInGrid = 40
    /// How many confused pairs get a row, and how many example images each row shows.
    public static let pairRows = 6
    public static let examplesPerPair = 6
    /// How many digits each of the comparison report's "one right, the other wrong" grids shows.
    package static let disagreementsInGrid = 40

    /// Writes the training report into `folder` (the workflow's output folder) and into
    /// `folder/runs/<manifest.runFolderName>/`. Returns every file written, top-level ones first.
    @discardableResult
    public static func writeTrainingReport(_ input: TrainingReportInput, to folder: URL,
                                           gnuplot: Gnuplot? = Gnuplot.locate()) throws(ReportError) -> [URL] {
        guard input.test.count > 0 else {
            throw ReportError(kind: .invalidInput, subject: "test", detail: "no test predictions; evaluate on a non-empty test set")
        }
        try validate(input.misclassified.map(\.pixels), what: "misclassified example")
        try validate(input.pairExamples.map(\.pixels), what: "confused-pair example")
        let run = folder.appendingPathComponent("runs").appendingPathComponent(input.manifest.runFolderName)
        let charts = try freshFolder(run.appendingPathComponent(TrainingReportPage.charts))
        let renderer = ChartRenderer(folder: charts, gnuplot: gnuplot)
        let metrics = TrainingMetrics(input)
        let matrix = ConfusionMatrix(input.test)

        var files: [URL] = []
        files += try renderer.trainingCurves(input.history).files
        files += try renderer.confusionMatrix(matrix).files
        files += try renderer.perClassAccuracy(metrics.perClass, overall: metrics.testAccuracy).files
        files += try renderer.confidenceHistogram(metrics.confidence).files
        let grid = Array(mostConfidentFirst(input.misclassified).prefix(misclassifiedInGrid))
        if !grid.isEmpty {
            files += try renderer.misclassifiedGrid(grid).files
        }
        var pairs: [TrainingReportPage.PairRow] = []
        for pair in matrix.mostConfusedPairs(limit: pairRows) {
            let examples = mostConfidentFirst((input.misclassified + input.pairExamples)
                .filter { $0.trueLabel == pair.trueLabel && $0.predicted == pair.predicted })
                .prefix(examplesPerPair)
            var chart: String?
            if !examples.isEmpty {
                let drawn = try renderer.digitStrip(Array(examples), name: "pair-\(pair.trueLabel)-as-\(pair.predicted)")
                files += drawn.files
                chart = drawn.name
            }
            pairs.append(.init(pair: pair, chart: chart))
        }
        let page = TrainingReportPage(input: input, metrics: metrics, pairs: pairs, gridCount: grid.count)
        files += try writeDocuments(report: page.render(), metrics: { try metrics.jsonData() }, into: run)
        return try publish(run: run, files: files, to: folder)
    }

    /// Writes the retrain report into `folder` and `folder/runs/<manifest.runFolderName>/`, like
    /// `writeTrainingReport`. Returns every file written, top-level ones first.
    @discardableResult
    public static func writeRetrainReport(_ input: RetrainReportInput, to folder: URL,
                                          gnuplot: Gnuplot? = Gnuplot.locate()) throws(ReportError) -> [URL] {
        try validate(input.feedback.map(\.pixels), what: "feedback image")
        let run = folder.appendingPathComponent("runs").appendingPathComponent(input.manifest.runFolderName)
        let charts = try freshFolder(run.appendingPathComponent(TrainingReportPage.charts))
        let renderer = ChartRenderer(folder: charts, gnuplot: gnuplot)
        var files: [URL] = []
        var feedbackChart: String?
        if !input.feedback.isEmpty {
            let drawn = try renderer.feedbackGrid(input.feedback)
            files += drawn.files
            feedbackChart = drawn.name
        }
        let metrics = RetrainMetrics(input)
        let page = RetrainReportPage(input: input, metrics: metrics, feedbackChart: feedbackChart)
        files += try writeDocuments(report: page.render(), metrics: { try metrics.jsonData() }, into: run)
        return try publish(run: run, files: files, to: folder)
    }

    /// Writes the side-by-side report of two models into `folder` and `folder/runs/<manifest.runFolderName>/`,
    /// like `writeTrainingReport`. Returns every file written, top-level ones first.
    @discardableResult
    package static func writeComparisonReport(_ input: ComparisonReportInput, to folder: URL,
                                             gnuplot: Gnuplot? = Gnuplot.locate()) throws(ReportError) -> [URL] {
        let sides = [input.first, input.second]
        guard input.first.test.count > 0 else {
            throw ReportError(kind: .invalidInput, subject: "test", detail: "no test predictions; evaluate both models on a non-empty test set")
        }
        guard input.testImages.count == input.first.test.count else {
            throw ReportError(kind: .invalidInput, subject: "test images",
                              detail: "\(input.testImages.count) images for \(input.first.test.count) predictions; pass the set both models were evaluated on")
        }
        try validate(input.testImages, what: "test image")
        let metrics = try ComparisonMetrics(input)
        let run = folder.appendingPathComponent("runs").appendingPathComponent(input.manifest.runFolderName)
        let charts = try freshFolder(run.appendingPathComponent(TrainingReportPage.charts))
        let renderer = ChartRenderer(folder: charts, gnuplot: gnuplot)

        var files: [URL] = []
        files += try renderer.comparisonCurves(sides.map { ($0.name, $0.history) }).files
        files += try renderer.perClassF1(metrics.models.map { ($0.name, $0.perClass) }).files
        var confusionCharts: [String] = []
        for (i, side) in sides.enumerated() {
            let drawn = try renderer.confusionMatrix(ConfusionMatrix(side.test), name: "confusion-matrix-\(i + 1)",
                                                     title: "Confusion matrix of \(side.name) (test set)")
            files += drawn.files
            confusionCharts.append(drawn.name)
        }
        // The digits one model gets right and the other wrong, those the wrong one was surest of first.
        var onlyRightCharts: [String?] = []
        for (i, (right, wrong)) in [(input.first, input.second), (input.second, input.first)].enumerated() {
            let examples = (0..<wrong.test.count)
                .filter { right.test.predictions[$0] == right.test.labels[$0] && wrong.test.predictions[$0] != wrong.test.labels[$0] }
                .map { DigitExample(pixels: input.testImages[$0], trueLabel: wrong.test.labels[$0],
                                    predicted: wrong.test.predictions[$0], confidence: wrong.test.confidences[$0]) }
            let grid = Array(mostConfidentFirst(examples).prefix(disagreementsInGrid))
            if grid.isEmpty {
                onlyRightCharts.append(nil)
            } else {
                let drawn = try renderer.misclassifiedGrid(grid, name: "only-\(i + 1)-right")
                files += drawn.files
                onlyRightCharts.append(drawn.name)
            }
        }
        let page = ComparisonReportPage(input: input, metrics: metrics, confusionCharts: confusionCharts, onlyRightCharts: onlyRightCharts)
        files += try writeDocuments(report: page.render(), metrics: { try metrics.jsonData() }, into: run)
        return try publish(run: run, files: files, to: folder)
    }

    /// Highest confidence first; equal ones keep their order.
    private static func mostConfidentFirst(_ examples: [DigitExample]) -> [DigitExample] {
        examples.enumerated().sorted { ($0.element.confidence, $1.offset) > ($1.element.confidence, $0.offset) }.map(\.element)
    }

    // MARK: files

    private static func validate(_ images: [[UInt8]], what: String) throws(ReportError) {
        let expected = DigitExample.side * DigitExample.side
        if let i = images.firstIndex(where: { $0.count != expected }) {
            throw ReportError(kind: .invalidInput, subject: "\(what) \(i)",
                              detail: "has \(images[i].count) pixels; expected \(expected) (28x28)")
        }
    }

    /// Creates `url` empty, removing what an earlier run with the same timestamp left there.
    private static func freshFolder(_ url: URL) throws(ReportError) -> URL {
        do {
            if FileManager.default.fileExists(atPath: url.path) {
                try FileManager.default.removeItem(at: url)
            }
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ReportError(kind: .writeFailed, subject: url.path, detail: error.localizedDescription)
        }
        return url
    }

    private static func writeDocuments(report: String, metrics: () throws -> Data, into run: URL) throws(ReportError) -> [URL] {
        let metricsURL = run.appendingPathComponent("metrics.json")
        let reportURL = run.appendingPathComponent("report.md")
        do {
            try AtomicFile.write(metrics(), to: metricsURL)
        } catch {
            throw ReportError(kind: .writeFailed, subject: metricsURL.path, detail: "\(error)")
        }
        do {
            try AtomicFile.write(Data(report.utf8), to: reportURL)
        } catch {
            throw ReportError(kind: .writeFailed, subject: reportURL.path, detail: "\(error)")
        }
        return [reportURL, metricsURL]
    }

    /// Copies the run's files to the workflow folder: charts first (the old `charts/` is replaced as a whole
    /// so no chart of an earlier run lingers), then metrics.json, then report.md, each atomically.
    private static func publish(run: URL, files: [URL], to folder: URL) throws(ReportError) -> [URL] {
        let manager = FileManager.default
        let runCharts = run.appendingPathComponent(TrainingReportPage.charts)
        let charts = folder.appendingPathComponent(TrainingReportPage.charts)
        let staged = folder.appendingPathComponent(".charts.\(getpid()).tmp")
        let retired = folder.appendingPathComponent(".charts.\(getpid()).old")
        do {
            try? manager.removeItem(at: staged)
            try? manager.removeItem(at: retired)
            try manager.copyItem(at: runCharts, to: staged)
            if manager.fileExists(atPath: charts.path) {
                try manager.moveItem(at: charts, to: retired)
            }
            try manager.moveItem(at: staged, to: charts)
            try? manager.removeItem(at: retired)
        } catch {
            throw ReportError(kind: .writeFailed, subject: charts.path, detail: error.localizedDescription)
        }
        var published: [URL] = []
        for name in ["metrics.json", "report.md"] {
            let target = folder.appendingPathComponent(name)
            do {
                try AtomicFile.write(Data(contentsOf: run.appendingPathComponent(name)), to: target)
            } catch {
                throw ReportError(kind: .writeFailed, subject: target.path, detail: "\(error)")
            }
            published.append(target)
        }
        let topCharts = files.filter { $0.deletingLastPathComponent().standardizedFileURL == runCharts.standardizedFileURL }
            .map { charts.appendingPathComponent($0.lastPathComponent) }
        return published.reversed() + topCharts + files
    }
}
