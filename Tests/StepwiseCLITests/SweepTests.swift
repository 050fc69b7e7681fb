import Foundation
import StepwiseTestSupport
import Testing

/// `stepwise sweep` through the binary: local sweeps, failing points, sweeps beside ordinary runs and each other,
/// and the Slurm scripts and Kubernetes manifest of `--dry-run`. Tiny synthetic data: a point takes a second or two.
@Suite("sweep (synthetic data)")
struct SweepTests {
    /// 200 training images, one epoch; the swept parameters come on top.
    static let tiny = ["--set", "load.limit=200", "--set", "load.test_limit=100", "--set", "preprocess.validation=50",
                       "--set", "train.epochs=1"]

    static func sweepFolders(_ project: ScratchProject) throws -> [String] {
        let folder = project.url("Outputs/train/sweeps")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    static func points(_ project: ScratchProject, sweep: String) throws -> [[String: Any]] {
        let folder = project.url("Outputs/train/sweeps/\(sweep)/points")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).compactMap(Int.init).sorted()
        return try names.map { n in
            let data = try Data(contentsOf: folder.appendingPathComponent("\(n)/point.json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    static func computedBy(_ step: String, _ points: [[String: Any]]) -> Int {
        points.filter { ($0["computed"] as? [String])?.contains(step) == true }.count
    }

    @Test func localSweepComputesSharedStepsOnceAndWritesTheReport() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST(learnable: true)
        let result = try project.stepwise(["sweep", "train"] + Self.tiny
            + ["--set", "train.lr=0.001,0.003", "--set", "train.batch=32,64", "--jobs", "2", "--threads", "1"],
            environment: data.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let sweeps = try Self.sweepFolders(project)
        try #require(sweeps.count == 1)
        let points = try Self.points(project, sweep: sweeps[0])
        #expect(points.count == 4)
        #expect(points.allSatisfy { $0["status"] as? String == "succeeded" }, "\(points)")
        // Points share the cache: what they have in common ran once; train ran in each.
        #expect(Self.computedBy("load", points) == 1, "\(points)")
        #expect(Self.computedBy("preprocess", points) == 1, "\(points)")
        #expect(Self.computedBy("build", points) == 1, "\(points)")
        #expect(Self.computedBy("train", points) == 4, "\(points)")
        // Each point is a run in its own folder, with its own model; nothing shared was written or promoted.
        for n in 0..<4 {
            let folder = "Outputs/train/sweeps/\(sweeps[0])/points/\(n)"
            #expect(FileManager.default.fileExists(atPath: project.url("\(folder)/report.md").path))
            #expect(FileManager.default.fileExists(atPath: project.url("\(folder)/cnn.safetensors").path))
            #expect(FileManager.default.fileExists(atPath: project.url("\(folder)/runs/index.jsonl").path))
        }
        #expect(!FileManager.default.fileExists(atPath: project.url("Outputs/train/report.md").path))
        #expect(!FileManager.default.fileExists(atPath: project.url("Outputs/models/cnn.safetensors").path))

        let report = try project.read("Outputs/train/sweeps/\(sweeps[0])/report.md")
        #expect(report.contains("# Sweep \(sweeps[0]) of train"), "\(report)")
        #expect(report.contains("4 points over `train.lr` (0.001, 0.003) × `train.batch` (32, 64)"), "\(report)")
        #expect(report.contains("## Best point"), "\(report)")
        #expect(report.contains("| point | train.lr | train.batch | status | test accuracy |"), "\(report)")
        for n in 0..<4 { #expect(report.contains("[report](points/\(n)/report.md)"), "\(report)") }
        #expect(report.contains("| 0.001 | 32 | succeeded |"), "\(report)")
        #expect(report.contains("(best)"), "\(report)")
        for chart in ["accuracy-vs-train-lr", "accuracy-vs-train-batch"] {
            #expect(report.contains("](charts/\(chart).png)"), "\(report)")
            for ext in ["png", "gp", "dat"] {
                #expect(FileManager.default.fileExists(atPath: project.url("Outputs/train/sweeps/\(sweeps[0])/charts/\(chart).\(ext)").path))
            }
        }
        // The best point by test accuracy is the one the report names.
        let best = try #require(points.max { ($0["testAccuracy"] as? Double ?? 0) < ($1["testAccuracy"] as? Double ?? 0) })
        let bestPoint = try #require(best["point"] as? Int)
        #expect(report.contains("| \(bestPoint) (best) |"), "\(report)")
        #expect(result.stdout.contains("best point \(bestPoint):"), "\(result.stdout)")
    }

    @Test func aFailingPointIsReportedAndTheOthersFinish() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST(learnable: true)
        // A learning rate of 10^21 makes the weights diverge: the loss overflows in the second batch and train fails.
        let result = try project.stepwise(["sweep", "train"] + Self.tiny + ["--set", "train.lr=0.001,1000000000000000000000", "--threads", "1"],
                                          environment: data.environment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("1 of 2 points failed: point 1:"), "\(result.stderr)")
        let sweeps = try Self.sweepFolders(project)
        let points = try Self.points(project, sweep: sweeps[0])
        #expect(points[0]["status"] as? String == "succeeded")
        #expect(points[1]["status"] as? String == "failed")
        let error = try #require(points[1]["error"] as? String)
        #expect(error.contains("failed"), "\(error)")
        let report = try project.read("Outputs/train/sweeps/\(sweeps[0])/report.md")
        #expect(report.contains("## Failed points"), "\(report)")
        #expect(report.contains("- Point 1 (train.lr=1000000000000000000000): \(error)"), "\(report)")
        #expect(report.contains("Point 0: `train.lr=0.001`"), "\(report)")
    }

    @Test func sweepsAndAnOrdinaryRunAtTheSameTimeKeepTheirOwnOutputs() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST(learnable: true)
        let grid = Self.tiny + ["--set", "train.lr=0.001,0.003", "--threads", "1"]
        // Two sweeps of the same grid and an ordinary run of the same parameters as one of their points, at once.
        var processes: [(Process, Pipe)] = []
        for arguments in [["sweep", "train"] + grid + ["--jobs", "2"], ["sweep", "train"] + grid,
                          ["run", "train"] + Self.tiny + ["--set", "train.lr=0.003", "--threads", "1"]] {
            let process = CLI.process(arguments, in: project.root, environment: data.environment)
            let err = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            processes.append((process, err))
        }
        for (process, err) in processes {
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(process.arguments ?? []): \(stderr)")
        }
        let sweeps = try Self.sweepFolders(project)
        #expect(sweeps.count == 2, "\(sweeps)")
        // The ordinary run's outputs are its own: its model promoted, its report on lr 0.003.
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(project.read("Outputs/train/metrics.json").utf8)) as? [String: Any])
        let runAccuracy = try #require(metrics["test_accuracy"] as? Double)
        #expect(FileManager.default.fileExists(atPath: project.url("Outputs/models/cnn.safetensors").path))
        #expect(try project.read("Outputs/train/report.md").contains("0.003"))
        // Each sweep's point with lr 0.003 has the same metrics as the ordinary run (same key, same results).
        for sweep in sweeps {
            let points = try Self.points(project, sweep: sweep)
            #expect(points.allSatisfy { $0["status"] as? String == "succeeded" }, "\(points)")
            let accuracy = try #require(points[1]["testAccuracy"] as? Double)
            #expect(abs(accuracy - runAccuracy) < 1e-9, "\(accuracy) vs \(runAccuracy)")
        }
        // The cache is whole: everything again, all from it (entries that failed their checksums would be recomputed).
        let again = try project.stepwise(["run", "train"] + Self.tiny + ["--set", "train.lr=0.003", "--threads", "1"],
                                         environment: data.environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("nothing to do"), "\(again.stderr)")
        #expect(!again.stderr.contains("warning"), "\(again.stderr)")
        let third = try project.stepwise(["sweep", "train"] + grid, environment: data.environment)
        #expect(third.status == 0, "\(third.stderr)")
        let newest = try #require(try Self.sweepFolders(project).first { !sweeps.contains($0) })
        let points = try Self.points(project, sweep: newest)
        // Only save and plot run again: they write into the point's own folder, so they are keyed by it.
        #expect(points.allSatisfy { ($0["computed"] as? [String]) == ["save", "plot"] }, "\(points)")
        #expect(!third.stderr.contains("corrupt"), "\(third.stderr)")
    }

    @Test func slurmAndKubernetesDryRunsPrintWhatTheyWouldSubmit() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST()
        let grid = Self.tiny + ["--set", "train.lr=0.001,0.003", "--set", "train.batch=32,64"]
        let slurm = try project.stepwise(["sweep", "train"] + grid + ["--on", "slurm", "--dry-run", "--jobs", "2", "--sbatch=--time=00:10:00"],
                                         environment: data.environment)
        #expect(slurm.status == 0, "\(slurm.stderr)")
        #expect(slurm.stdout.contains("#SBATCH --array=0-3%2"), "\(slurm.stdout)")
        #expect(slurm.stdout.contains("#SBATCH --time=00:10:00"), "\(slurm.stdout)")
        #expect(slurm.stdout.contains("--point \"$SLURM_ARRAY_TASK_ID\""), "\(slurm.stdout)")
        #expect(slurm.stdout.contains("sweep train --set load.limit=200"), "\(slurm.stdout)")
        #expect(slurm.stdout.contains("--set train.lr=0.001,0.003 --set train.batch=32,64"), "\(slurm.stdout)")
        #expect(slurm.stdout.contains("--dependency=afterany:<array job id>"), "\(slurm.stdout)")
        #expect(slurm.stdout.contains(" --report\n"), "\(slurm.stdout)")
        // A dry run writes nothing.
        #expect(try Self.sweepFolders(project).isEmpty)

        let kube = try project.stepwise(["sweep", "train"] + grid + ["--on", "kubernetes", "--dry-run", "--image", "registry.example/stepwise:1"],
                                        environment: data.environment)
        #expect(kube.status == 0, "\(kube.stderr)")
        for line in ["kind: Job", "completionMode: Indexed", "completions: 4", "parallelism: 4", "backoffLimitPerIndex: 0",
                     "image: \"registry.example/stepwise:1\"", "--point \\\"$JOB_COMPLETION_INDEX\\\"", "claimName: \"stepwise-project\""] {
            #expect(kube.stdout.contains(line), "\(line) in \(kube.stdout)")
        }
        #expect(try Self.sweepFolders(project).isEmpty)
    }

    @Test func badGridsAreUsageErrorsAndNothingRuns() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST()
        let single = try project.stepwise(["sweep", "train", "--set", "train.lr=0.001"], environment: data.environment)
        #expect(single.status == 2, "\(single.stderr)")
        #expect(single.stderr.contains("nothing to sweep"), "\(single.stderr)")
        let typo = try project.stepwise(["sweep", "train", "--set", "train.lrr=0.001,0.003"], environment: data.environment)
        #expect(typo.status == 2, "\(typo.stderr)")
        #expect(typo.stderr.contains("lrr"), "\(typo.stderr)")
        let badValue = try project.stepwise(["sweep", "train", "--set", "train.lr=0.001,-1"], environment: data.environment)
        #expect(badValue.status == 2, "\(badValue.stderr)")
        let kube = try project.stepwise(["sweep", "train", "--set", "train.lr=0.001,0.003", "--on", "kubernetes"], environment: data.environment)
        #expect(kube.status == 2, "\(kube.stderr)")
        #expect(try Self.sweepFolders(project).isEmpty)
    }
}
