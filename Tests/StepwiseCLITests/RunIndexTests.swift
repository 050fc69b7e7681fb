import Foundation
import StepwiseTestSupport
import Testing

/// The run index, `stepwise runs`, `stepwise diff` and `runs prune` through the binary. Synthetic data.
@Suite("run index, runs, diff, prune (synthetic data)")
struct RunIndexTests {
    static func indexLines(_ project: ScratchProject) throws -> [[String: Any]] {
        try project.read("Outputs/train/runs/index.jsonl").split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func allCachedRunsAddNoFolderAndDiffShowsALearningRateChange() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST()
        let quick = SyntheticMNIST.trainOverrides(epochs: 1)

        let first = try project.stepwise(["run", "train"] + quick, environment: data.environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try project.runFolders().count == 1)

        // Everything from the cache, nothing put back: one index line, no folder.
        let again = try project.stepwise(["run", "train"] + quick, environment: data.environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try project.runFolders().count == 1)
        var lines = try Self.indexLines(project)
        #expect(lines.count == 2)
        #expect(lines[1]["folder"] as? Bool == false)
        #expect((lines[1]["cached"] as? [String])?.count == 7)
        #expect((lines[0]["parameters"] as? [String])?.contains("train.lr=0.003") == true)
        #expect((lines[0]["metrics"] as? [String: Double])?["test_accuracy"] != nil)

        // The planner still sees the folderless run: the plan is all cached.
        let plan = try project.stepwise(["plan", "train"] + quick, environment: data.environment).stdout
        #expect(plan.split(separator: "\n").allSatisfy { $0.contains(": cached (run ") }, "\(plan)")

        // A new learning rate: the diff shows the change and what it did.
        let changed = try project.stepwise(["run", "train"] + quick + ["--set", "train.lr=0.01"], environment: data.environment)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(try project.runFolders().count == 2)
        let md = try project.stepwise(["diff", "--md"])
        #expect(md.status == 0, "\(md.stderr)")
        #expect(md.stdout.contains("| `train.lr` | 0.003 | 0.01 |"), "\(md.stdout)")
        #expect(md.stdout.contains("| test_accuracy |"), "\(md.stdout)")
        #expect(md.stdout.contains("| train | runs: lr changed from 0.003 to 0.01"), "\(md.stdout)")
        #expect(!md.stdout.contains("| load |"), "\(md.stdout)")
        // report.md compares with the previous run and draws the pipeline, each step ran or from cache.
        let report = try project.read("Outputs/train/report.md")
        #expect(report.contains("## Compared with the previous run"), "\(report)")
        #expect(report.contains("| `train.lr` | 0.003 | 0.01 |"), "\(report)")
        #expect(report.contains("| test_accuracy |"), "\(report)")
        #expect(report.contains("```mermaid\nflowchart LR"), "\(report)")
        #expect(report.contains("[\"load<br/><i>from cache</i>\"]:::cached"), "\(report)")
        #expect(report.contains("[\"train<br/><i>ran</i>\"]:::ran"), "\(report)")
        // plan --graph draws the same graph for what a run would do.
        let graph = try project.stepwise(["plan", "train", "--graph"] + quick + ["--set", "train.lr=0.02"], environment: data.environment)
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(graph.stdout.contains("[\"train<br/><i>runs</i>\"]:::runs"), "\(graph.stdout)")
        #expect(graph.stdout.contains("[\"build<br/><i>from cache</i>\"]:::cached"), "\(graph.stdout)")
        #expect(graph.stdout.contains("-->|\"trained\"|"), "\(graph.stdout)")

        let text = try project.stepwise(["diff"]).stdout
        #expect(text.contains("train.lr 0.003 -> 0.01"), "\(text)")

        // The table: three runs, the last changed train.lr.
        let table = try project.stepwise(["runs"])
        #expect(table.status == 0, "\(table.stderr)")
        let rows = table.stdout.split(separator: "\n")
        #expect(rows.count == 5, "\(table.stdout)")   // header, three runs, the footnote
        #expect(rows[3].hasSuffix("train.lr 0.003 -> 0.01"), "\(table.stdout)")
        let json = try project.stepwise(["runs", "train", "--json"])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(parsed.count == 3)
        #expect(parsed[1]["steps_cached"] as? Int == 7)
        lines = try Self.indexLines(project)
        #expect(lines.count == 3)

        // Test accuracy across runs, labelled by what changed, drawn by gnuplot with its script and data beside it.
        let chart = try project.stepwise(["runs", "--chart"])
        #expect(chart.status == 0, "\(chart.stderr)")
        for ext in ["png", "gp", "dat"] {
            #expect(FileManager.default.fileExists(atPath: project.url("Outputs/train/run-charts/accuracy-across-runs.\(ext)").path))
        }
        let points = try project.read("Outputs/train/run-charts/accuracy-across-runs.dat")
        #expect(points.split(separator: "\n").count == 4, "\(points)")
        #expect(points.contains("train.lr 0.003 -> 0.01\""), "\(points)")
    }

    @Test func pruneAndGCKeepTheSameRuns() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST()
        let quick = SyntheticMNIST.trainOverrides(epochs: 1)
        for lr in ["0.003", "0.01", "0.02"] {
            let run = try project.stepwise(["run", "train"] + quick + ["--set", "train.lr=\(lr)"], environment: data.environment)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let failed = try project.stepwise(["run", "train", "--only", "evaluate"] + quick + ["--set", "train.lr=0.5"],
                                          environment: data.environment)
        #expect(failed.status != 0)
        #expect(try project.runFolders().count == 4)

        let prune = try project.stepwise(["runs", "prune", "--keep", "1"])
        #expect(prune.status == 0, "\(prune.stderr)")
        // The failed run is the newest; the last successful full run (lr 0.02) is kept too.
        let kept = try project.runFolders()
        #expect(kept.count == 2, "\(kept)")
        #expect(try Self.indexLines(project).count == 4, "prune keeps every run's index line")

        let gc = try project.stepwise(["cache", "gc"])
        #expect(gc.status == 0, "\(gc.stderr)")
        let again = try project.stepwise(["plan", "train"] + quick + ["--set", "train.lr=0.02"], environment: data.environment).stdout
        #expect(again.split(separator: "\n").allSatisfy { $0.contains(": cached (run ") }, "\(again)")
        let dropped = try project.stepwise(["plan", "train"] + quick + ["--set", "train.lr=0.01"], environment: data.environment).stdout
        #expect(dropped.contains("train: runs"), "\(dropped)")
    }
}
