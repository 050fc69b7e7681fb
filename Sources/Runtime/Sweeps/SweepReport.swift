import Foundation
import Tensor

/// How a sweep went, from its points' records: what `sweep` prints and its exit code rest on.
public struct SweepSummary: Sendable {
    public var id: String
    public var points: Int
    public var succeeded: [Int]
    /// Points that failed, or never recorded an end (killed, never started), with why.
    public var failed: [(point: Int, error: String)]
    /// The point with the highest test accuracy (then the lowest loss), if any succeeded with one.
    public var best: SweepPointRecord?
    public var reportURL: URL
}

/// `Outputs/<workflow>/sweeps/<id>/report.md`: the grid, a table of the points with their metrics, the best
/// point, the failed points with their errors, a chart of test accuracy against each swept parameter, and a link
/// to each point's own run report. Written by the local sweep when its points end, or by the gather job.
enum SweepReport {
    static func write(_ sweep: Sweep, records: [Int: SweepPointRecord], gnuplot: Gnuplot? = Gnuplot.locate()) throws -> SweepSummary {
        let grid = sweep.grid
        var succeeded: [Int] = []
        var failed: [(point: Int, error: String)] = []
        for point in 0..<grid.count {
            switch records[point]?.status {
            case .succeeded?: succeeded.append(point)
            case .failed?: failed.append((point, records[point]?.error ?? "unknown error"))
            case .running?: failed.append((point, "did not finish: still running, or its process was killed"))
            case nil: failed.append((point, "did not start, or its process ended before writing point.json"))
            }
        }
        let scored = succeeded.compactMap { records[$0] }.filter { $0.testAccuracy != nil }
        let best = scored.max { a, b in
            (a.testAccuracy!, -(a.testLoss ?? .infinity), -a.point) < (b.testAccuracy!, -(b.testLoss ?? .infinity), -b.point)
        }

        var md = "# Sweep \(sweep.id) of \(sweep.workflowName)\n\n"
        let axes = grid.axes.map { "`\($0.parameter)` (\($0.values.joined(separator: ", ")))" }.joined(separator: " × ")
        md += "\(grid.count) points over \(axes)"
        md += grid.fixed.isEmpty ? ".\n" : "; every point also with \(grid.fixed.map { "`\($0)`" }.joined(separator: ", ")).\n"
        md += "\n\(succeeded.count) succeeded, \(failed.count) failed or did not finish. Each point is an ordinary run in "
            + "`points/<n>/` (its report, metrics, charts, model and run records); they share the cache, so steps the "
            + "points have in common ran once.\n\n"
        md += "## Best point\n\n"
        if let best {
            md += "Point \(best.point): \(grid.label(ofPoint: best.point).split(separator: ",").map { "`\($0.trimmingCharacters(in: .whitespaces))`" }.joined(separator: ", ")) "
                + "with test accuracy **\(Format.percent(best.testAccuracy!))**"
                + (best.testLoss.map { ", test loss \(Format.fixed($0, 4))" } ?? "")
                + " ([its report](points/\(best.point)/report.md)). Run it again on its own with:\n\n"
                + "    " + RunOptions.command(workflow: sweep.options.workflow, mode: .all, overrides: grid.overrides(ofPoint: best.point),
                                               dataFlag: sweep.options.dataFlag, seed: sweep.options.seed, threads: sweep.options.threads,
                                               projectFlag: sweep.options.projectFlag) + "\n\n"
        } else {
            md += "No point succeeded with a test accuracy.\n\n"
        }
        md += "## Points\n\n"
        let header = ["point"] + grid.axes.map(\.parameter) + ["status", "test accuracy", "test loss", "computed", "cached", "report"]
        let alignments: [Markdown.Alignment] = [.right] + grid.axes.map { _ in .right } + [.left, .right, .right, .left, .left, .left]
        let rows = (0..<grid.count).map { point -> [String] in
            let record = records[point]
            let status = record?.status.rawValue ?? "not started"
            let report = FileManager.default.fileExists(atPath: sweep.pointFolder(point).appendingPathComponent("report.md").path)
                ? "[report](points/\(point)/report.md)" : "-"
            return [String(point) + (point == best?.point ? " (best)" : "")] + grid.values(ofPoint: point)
                + [status, record?.testAccuracy.map(Format.percent) ?? "-", record?.testLoss.map { Format.fixed($0, 4) } ?? "-",
                   record.map { $0.computed.joined(separator: ", ") } ?? "-", record.map { $0.cached.joined(separator: ", ") } ?? "-", report]
        }
        md += Markdown.table(header, alignments, rows) + "\n"
        if !failed.isEmpty {
            md += "## Failed points\n\n"
            for (point, error) in failed {
                md += "- Point \(point) (\(grid.label(ofPoint: point))): \(error). Its output: [points/\(point)/](points/\(point)/)\n"
            }
            md += "\n"
        }
        md += "## Test accuracy against each swept parameter\n\n"
        let charts = sweep.folder.appendingPathComponent("charts", isDirectory: true)
        try? FileManager.default.removeItem(at: charts)
        let renderer = ChartRenderer(folder: charts, gnuplot: gnuplot)
        for (a, axis) in grid.axes.enumerated() {
            let points = scored.map { record in
                let values = grid.values(ofPoint: record.point)
                let others = zip(grid.axes, values).enumerated().filter { $0.offset != a }
                    .map { "\($0.element.0.parameter)=\($0.element.1)" }.joined(separator: ", ")
                return ChartRenderer.SweepPoint(value: values[a], others: others, accuracy: record.testAccuracy!)
            }
            let name = "accuracy-vs-" + axis.parameter.map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce("") { $0 + String($1) }
            do {
                _ = try renderer.sweepAxis(points, parameter: axis.parameter, order: axis.values, name: name)
                md += Markdown.image("Test accuracy against \(axis.parameter)", "charts/\(name).png") + "\n\n"
            } catch {
                md += "No chart against `\(axis.parameter)`: \(error)\n\n"
            }
        }
        try AtomicFile.write(Data(md.utf8), to: sweep.reportURL)
        return SweepSummary(id: sweep.id, points: grid.count, succeeded: succeeded, failed: failed, best: best, reportURL: sweep.reportURL)
    }
}

extension Sweep {
    /// Writes the report from the points' records as they are now.
    public func writeReport() throws -> SweepSummary {
        try SweepReport.write(self, records: records())
    }
}
