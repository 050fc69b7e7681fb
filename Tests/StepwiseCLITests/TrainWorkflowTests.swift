import Foundation
import Tensor
import Testing

/// The training workflow end to end on small synthetic data: the report, the cache's decisions, `--only`, and
/// the lock, through the real binary.
@Suite("stepwise run train (synthetic data)")
struct TrainWorkflowTests {
    @Test func reportCacheOnlyAndLock() throws {
        let project = try ScratchProject()
        let first = try project.stepwise(["run", "train"] + smallTrainRun)
        #expect(first.status == 0, "\(first.stderr)")

        // The report and metrics agree, and every link resolves.
        let report = try project.read("Outputs/train/report.md")
        let metricsData = try Data(contentsOf: project.url("Outputs/train/metrics.json"))
        let metrics = try #require(try JSONSerialization.jsonObject(with: metricsData) as? [String: Any])
        let accuracy = try #require(metrics["test_accuracy"] as? Double)
        #expect((0...1).contains(accuracy))
        #expect(metrics["test_loss"] is Double)
        #expect(report.contains(String(format: "%.2f%%", accuracy * 100)), "report does not show \(accuracy)")
        for section in ["Model", "Per-class", "confused", "Manifest"] {
            #expect(report.localizedCaseInsensitiveContains(section), "report lacks a \(section) section")
        }
        // The manifest names the CPU and the engine with its kernel path.
        #expect(report.contains("| CPU | ") && report.contains(" kernels, OpenBLAS "), "\(report)")
        let links = report.matches(of: /\]\(([^)#]+)\)/).map { String($0.1) }.filter { !$0.hasPrefix("http") }
        #expect(!links.isEmpty)
        for link in links {
            #expect(FileManager.default.fileExists(atPath: project.url("Outputs/train/\(link)").path), "broken link \(link)")
        }
        let model = project.url("Outputs/models/cnn.safetensors")
        let modelBytes = try Data(contentsOf: model)

        // A second plan: everything cached. A comment does not change that.
        let plan = try project.stepwise(["plan", "train"] + smallTrainRun)
        #expect(plan.status == 0)
        let planLines = plan.stdout.split(separator: "\n")
        #expect(planLines.count == 7 && planLines.allSatisfy { $0.contains(": cached (run ") }, "\(plan.stdout)")
        try project.append("# a comment changes nothing\n", to: "Workflows/train/04-train.step")
        let commented = try project.stepwise(["plan", "train"] + smallTrainRun)
        #expect(commented.stdout.split(separator: "\n").allSatisfy { $0.contains(": cached (run ") }, "\(commented.stdout)")

        // Two epochs: load stays cached, train names the parameter.
        let twoEpochs = smallTrainRun.map { $0 == "train.epochs=1" ? "train.epochs=2" : $0 }
        let changed = try project.stepwise(["plan", "train"] + twoEpochs).stdout
        #expect(changed.contains("load: cached (run "))
        #expect(changed.contains("train: runs: epochs changed from 1 to 2"), "\(changed)")

        // --only evaluate: evaluate runs, training does not, the model file is untouched.
        let only = try project.stepwise(["run", "train", "--only", "evaluate"] + smallTrainRun)
        #expect(only.status == 0, "\(only.stderr)")
        #expect(only.stderr.contains("evaluate: running"))
        #expect(!only.stderr.contains("train: running"))
        #expect(try Data(contentsOf: model) == modelBytes)

        // The whole run again comes from the cache.
        let cached = try project.stepwise(["run", "train"] + smallTrainRun)
        #expect(cached.status == 0)
        #expect(cached.stderr.contains("nothing to do"), "\(cached.stderr)")

        // A deleted model file is put back from the cache, byte for byte, without training.
        try FileManager.default.removeItem(at: model)
        let restored = try project.stepwise(["run", "train"] + smallTrainRun)
        #expect(restored.status == 0)
        #expect(!restored.stderr.contains("train: running"))
        #expect(try Data(contentsOf: model) == modelBytes)

        // A second run while one holds the lock exits 3 naming the holder.
        let holder = CLI.process(["run", "train", "--force"] + smallTrainRun, in: project.root,
                                 environment: project.data.environment)
        holder.standardError = FileHandle.nullDevice
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        let lockFile = project.url("Outputs/train/.lock")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !((try? String(contentsOf: lockFile, encoding: .utf8))?.contains("pid \(holder.processIdentifier)") ?? false) {
            usleep(20_000)
        }
        let second = try project.stepwise(["run", "train"] + smallTrainRun)
        holder.waitUntilExit()
        #expect(second.status == 3, "\(second.stderr)")
        #expect(second.stderr.contains("pid \(holder.processIdentifier)"))
        #expect(holder.terminationStatus == 0)
    }

    /// Entries are written in the background; a write that fails still fails the run, naming the step.
    @Test func aCacheThatCannotBeWrittenFailsTheRunNamingTheStep() throws {
        let project = try ScratchProject()
        try FileManager.default.createDirectory(at: project.url("Outputs/.cache"), withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: project.url("Outputs/.cache/objects"))
        let run = try project.stepwise(["run", "train"] + smallTrainRun)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("step load (Workflows/train/01-load.step) failed: storing its results in the cache failed"),
                "\(run.stderr)")
        #expect(run.stderr.contains("check the space and permissions of Outputs/.cache"), "\(run.stderr)")
        let runs = try project.runFolders()
        #expect(runs.count == 1)
        #expect(try project.read("Outputs/train/runs/\(runs[0])/run.json").contains("\"failed\""))
    }

    @Test func aDamagedCacheEntryIsRecomputed() throws {
        let project = try ScratchProject()
        #expect(try project.stepwise(["run", "train"] + smallTrainRun).status == 0)
        // Damage every cache entry; the next run must notice, discard and recompute, never use them.
        let objects = project.url("Outputs/.cache/objects")
        let files = FileManager.default.enumerator(atPath: objects.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".safetensors") }
        #expect(!files.isEmpty)
        for file in files {
            let url = objects.appendingPathComponent(file)
            var data = try Data(contentsOf: url)
            data[data.count - 1] ^= 0xFF
            try data.write(to: url)
        }
        let rerun = try project.stepwise(["run", "train"] + smallTrainRun)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("load: running"))
        #expect(rerun.stderr.localizedCaseInsensitiveContains("checksum") || rerun.stderr.localizedCaseInsensitiveContains("corrupt"),
                "\(rerun.stderr)")
    }
}
