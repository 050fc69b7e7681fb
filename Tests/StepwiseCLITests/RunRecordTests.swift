import Foundation
import StepwiseTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs that end early, are refused, interrupted or killed are recorded; cron logs are timestamped and end with
/// the exit code; leftovers of killed runs are swept; `cache gc` keeps what the next run needs. Synthetic data.
@Suite("run records, interruption, leftovers, cache gc (synthetic data)")
struct RunRecordTests {
    static var timestamped: Regex<Substring> { #/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\] /# }

    /// Every line of a cron log (stderr to a file or pipe) starts with a timestamp.
    static func expectTimestamped(_ stderr: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in stderr.split(separator: "\n") {
            #expect(line.firstMatch(of: timestamped) != nil, "line without timestamp: \(line)", sourceLocation: sourceLocation)
        }
    }

    static func lastLine(_ text: String) -> String {
        String(text.split(separator: "\n").last ?? "").replacing(timestamped, with: "")
    }

    /// The run.json files of `workflow`, oldest first, as JSON objects.
    static func records(_ project: ScratchProject, _ workflow: String = "train") throws -> [[String: Any]] {
        let runs = project.url("Outputs/\(workflow)/runs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runs.path))?.sorted() ?? []
        return try names.compactMap { name in
            guard let data = try? Data(contentsOf: runs.appendingPathComponent(name).appendingPathComponent("run.json")) else { return nil }
            return try JSONSerialization.jsonObject(with: data) as? [String: Any]
        }
    }

    /// Starts `stepwise run` with stderr to a file, sends `signal` once training has begun, and waits for the end.
    static func interruptTraining(_ project: ScratchProject, data: SyntheticMNIST, signal: Int32,
                                  arguments: [String]) throws -> (status: Int32, stderr: String) {
        let log = project.url("stderr-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = CLI.process(["run", "train"] + arguments, in: project.root, environment: data.environment)
        let handle = try FileHandle(forWritingTo: log)
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        var started = false
        while Date() < deadline, process.isRunning {
            // A batch or two into training, so the step is stopped mid-way rather than before it starts.
            if let text = try? String(contentsOf: log, encoding: .utf8), text.contains("train: epoch 1/") {
                started = true
                break
            }
            usleep(50_000)
        }
        #expect(started, "training did not start")
        kill(process.processIdentifier, signal)
        let stopBy = Date().addingTimeInterval(60)
        while process.isRunning, Date() < stopBy { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("the run did not stop within 60 s of the signal")
        }
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    /// True if the lock can be taken, i.e. no process holds it.
    static func lockIsFree(_ project: ScratchProject) -> Bool {
        let fd = open(project.url("Outputs/train/.lock").path, O_RDWR)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) == 0
    }

    @Test func interruptedRunsAreRecordedAndTheNextRunReusesTheirSteps() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST()
        let quick = SyntheticMNIST.trainOverrides(epochs: 1)
        let long = SyntheticMNIST.trainOverrides(epochs: 1_000)

        // A successful run first: its lines are timestamped and the last one gives the exit code.
        let first = try project.stepwise(["run", "train"] + quick, environment: data.environment)
        #expect(first.status == 0, "\(first.stderr)")
        Self.expectTimestamped(first.stderr)
        #expect(Self.lastLine(first.stderr) == "exit 0: success")

        // Ctrl-C while training a different setup.
        let (status, stderr) = try Self.interruptTraining(project, data: data, signal: SIGINT, arguments: long)
        #expect(status == 130, "\(stderr)")
        Self.expectTimestamped(stderr)
        #expect(stderr.contains("interrupted (SIGINT)"))
        #expect(Self.lastLine(stderr) == "exit 130: interrupted by SIGINT", "\(stderr.suffix(600))")
        var records = try Self.records(project)
        #expect(records.count == 2)
        let interrupted = try #require(records.last)
        #expect(interrupted["status"] as? String == "interrupted")
        #expect(interrupted["ended"] is String)
        let steps = try #require(interrupted["steps"] as? [[String: Any]])
        let outcomes = Dictionary(uniqueKeysWithValues: steps.map { ($0["name"] as! String, $0["outcome"] as! String) })
        #expect(outcomes == ["load": "cached", "preprocess": "cached", "build": "cached", "train": "interrupted",
                             "evaluate": "planned", "save": "planned", "plot": "planned"])
        #expect(Self.lockIsFree(project))
        #expect(try project.read("Outputs/train/.lock").isEmpty, "the holder line is cleared on release")

        // gc after the interrupted run keeps the last good run's entries, and the interrupted run's.
        let gc = try project.stepwise(["cache", "gc"])
        #expect(gc.status == 0, "\(gc.stderr)")
        let good = try project.stepwise(["plan", "train"] + quick, environment: data.environment)
        #expect(good.stdout.split(separator: "\n").count == 7
            && good.stdout.split(separator: "\n").allSatisfy { $0.contains(": cached (run ") }, "\(good.stdout)")
        let resumed = try project.stepwise(["plan", "train"] + long, environment: data.environment).stdout
        for step in ["load", "preprocess", "build"] { #expect(resumed.contains("\(step): cached (run "), "\(resumed)") }
        #expect(resumed.contains("train: runs: epochs changed from 1 to 1000"), "\(resumed)")

        // SIGTERM: the same, exit 143; the steps the interrupted run found cached are cached again.
        let (termStatus, termStderr) = try Self.interruptTraining(project, data: data, signal: SIGTERM, arguments: long)
        #expect(termStatus == 143, "\(termStderr)")
        #expect(Self.lastLine(termStderr) == "exit 143: interrupted by SIGTERM")
        records = try Self.records(project)
        #expect(records.last?["status"] as? String == "interrupted")
        #expect(Self.lockIsFree(project))
    }

    @Test func cacheGCAfterAFromRunKeepsTheStepsItSkipped() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST()
        let quick = SyntheticMNIST.trainOverrides(epochs: 1)
        let first = try project.stepwise(["run", "train"] + quick, environment: data.environment)
        #expect(first.status == 0, "\(first.stderr)")
        let from = try project.stepwise(["run", "train", "--from", "evaluate"] + quick, environment: data.environment)
        #expect(from.status == 0, "\(from.stderr)")
        let gc = try project.stepwise(["cache", "gc"])
        #expect(gc.status == 0, "\(gc.stderr)")
        let plan = try project.stepwise(["plan", "train"] + quick, environment: data.environment).stdout
        #expect(plan.split(separator: "\n").count == 7
            && plan.split(separator: "\n").allSatisfy { $0.contains(": cached (run ") }, "\(plan)")
    }

    @Test func aRunRefusedByTheLockIsRecordedAndLogged() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST()
        let folder = project.url("Outputs/train")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let fd = open(folder.appendingPathComponent(".lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        defer { close(fd) }
        let line = "pid \(getpid()) started 2026-11-30T02:00:00Z\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }

        let result = try project.stepwise(["run", "train"] + SyntheticMNIST.trainOverrides(), environment: data.environment)
        #expect(result.status == 3)
        Self.expectTimestamped(result.stderr)
        let lines = result.stderr.split(separator: "\n").map { String($0).replacing(Self.timestamped, with: "") }
        #expect(lines.first?.firstMatch(of: /^run \S+Z of train, seed 42: refused before the first step$/) != nil, "\(result.stderr)")
        #expect(lines.contains("error: another run of train holds the lock: pid \(getpid()), started 2026-11-30T02:00:00Z"))
        #expect(lines.last == "exit 3: another run holds the lock")
        let record = try #require(try Self.records(project).last)
        #expect(record["status"] as? String == "refused")
        #expect((record["error"] as? String)?.contains("holds the lock") == true)
        #expect((record["steps"] as? [Any])?.isEmpty == true)
    }

    @Test func aRunWithAStepFileErrorIsRecordedAsFailed() throws {
        let project = try ScratchProject()
        try project.append("    epoch 3\n", to: "Workflows/train/04-train.step")
        let result = try project.stepwise(["run", "train"], environment: ["STEPWISE_DATA": "/nonexistent"])
        #expect(result.status == 2)
        Self.expectTimestamped(result.stderr)
        #expect(Self.lastLine(result.stderr) == "exit 2: usage, step-file or validation error (nothing ran)")
        let record = try #require(try Self.records(project).last)
        #expect(record["status"] as? String == "failed")
        #expect((record["error"] as? String)?.contains("epochs") == true)
    }

    @Test func leftoversOfKilledRunsAreSweptAtTheNextRun() throws {
        let project = try ScratchProject()
        let data = try SyntheticMNIST()
        let fm = FileManager.default
        let dead: Int32 = 2_147_483_000   // above any pid_max
        let old = Date().addingTimeInterval(-600)
        func plant(_ path: String, folder: Bool = false) throws -> URL {
            let url = project.url(path)
            try fm.createDirectory(at: folder ? url : url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !folder { try Data("partial".utf8).write(to: url) }
            try fm.setAttributes([.modificationDate: old], ofItemAtPath: url.path)
            return url
        }
        let temp = try plant("Outputs/train/.report.md.\(dead).1234.tmp")
        let cacheTemp = try plant("Outputs/.cache/.memo.json.\(dead).99.tmp")
        let staging = try plant("incorrect_predictions/.staging-0123456789abcdef-\(dead)-5", folder: true)
        let emptyRun = try plant("Outputs/train/runs/2026-11-01T00-00-00Z", folder: true)
        // A run.json as a killed run of an older runner left it: no "error" field, still running.
        let killed = try plant("Outputs/train/runs/2026-11-02T00-00-00Z", folder: true)
        try Data(#"""
            {"id":"2026-11-02T00:00:00Z","workflow":"train","runnerVersion":"0.1.0","mode":"all",
             "started":"2026-11-02T00:00:00Z","status":"running","seed":42,"steps":[]}
            """#.utf8).write(to: killed.appendingPathComponent("run.json"))
        let fresh = try plant("Outputs/models/.cnn.safetensors.\(getpid()).7.tmp")
        try fm.setAttributes([.modificationDate: Date()], ofItemAtPath: fresh.path)

        let result = try project.stepwise(["run", "train", "--only", "load"] + SyntheticMNIST.trainOverrides(),
                                          environment: data.environment)
        #expect(result.status == 0, "\(result.stderr)")
        for gone in [temp, cacheTemp, staging, emptyRun] { #expect(!fm.fileExists(atPath: gone.path), "\(gone.path) left") }
        #expect(fm.fileExists(atPath: fresh.path), "a young temporary file of a live process is kept")
        #expect(result.stderr.contains("swept leftovers of killed runs: 2 temporary files, 1 staging folder, 1 run folder without run.json"),
                "\(result.stderr)")
        #expect(result.stderr.contains("run 2026-11-02T00:00:00Z was still marked running (its process was killed): marked interrupted"))
        let records = try Self.records(project)
        #expect(records.first { $0["id"] as? String == "2026-11-02T00:00:00Z" }?["status"] as? String == "interrupted")
    }
}
