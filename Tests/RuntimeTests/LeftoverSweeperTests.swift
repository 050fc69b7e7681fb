import Foundation
import Runtime
import Tensor
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What killed processes leave under Outputs/ and in the feedback folder, swept by the next run.
struct LeftoverSweeperTests {
    let dir: TemporaryDirectory
    let now = Date()
    /// No process has this pid (pid_max is at most 2^22).
    static let deadPID: Int32 = 2_147_483_000

    init() throws {
        dir = try TemporaryDirectory()
    }

    var outputs: URL { dir.path("Outputs") }

    /// Creates `url` (a file, or a folder with one file) last modified `age` seconds ago.
    @discardableResult
    func plant(_ url: URL, folder: Bool = false, age: TimeInterval) throws -> URL {
        let fm = FileManager.default
        try fm.createDirectory(at: folder ? url : url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if folder {
            try Data("x".utf8).write(to: url.appendingPathComponent("digit.png"))
        } else {
            try Data("partial".utf8).write(to: url)
        }
        try fm.setAttributes([.modificationDate: now.addingTimeInterval(-age)], ofItemAtPath: url.path)
        return url
    }

    func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    @Test func sweepsWhatDeadWritersLeftAndKeepsTheRest() throws {
        let dead = Self.deadPID, live = getpid()
        let deadTemp = try plant(outputs.appendingPathComponent("train/.report.md.\(dead).12345.tmp"), age: 120)
        let deadCacheTemp = try plant(outputs.appendingPathComponent(".cache/objects/ab/.abcdef.st.\(dead).9.tmp"), age: 120)
        let youngTemp = try plant(outputs.appendingPathComponent("models/.cnn.safetensors.\(dead).1.tmp"), age: 5)
        let liveTemp = try plant(outputs.appendingPathComponent("models/.cnn.safetensors.\(live).2.tmp"), age: 600)
        let ancientLiveTemp = try plant(outputs.appendingPathComponent("retrain/.metrics.json.\(live).3.tmp"), age: 7200)
        let feedback = dir.path("incorrect_predictions")
        let deadStaging = try plant(feedback.appendingPathComponent(".staging-0123456789abcdef-\(dead)-77"), folder: true, age: 120)
        let liveStaging = try plant(feedback.appendingPathComponent(".staging-0123456789abcdef-\(live)-78"), folder: true, age: 120)
        let notOurs = try plant(outputs.appendingPathComponent("train/notes.tmp"), age: 7200)

        let report = LeftoverSweeper(outputs: outputs, stagingFolders: [feedback]).sweep(lockedWorkflows: [], now: now)
        for gone in [deadTemp, deadCacheTemp, ancientLiveTemp, deadStaging] { #expect(!exists(gone), "\(gone.path) kept") }
        for kept in [youngTemp, liveTemp, liveStaging, notOurs] { #expect(exists(kept), "\(kept.path) swept") }
        #expect(report.removed.filter { $0.kind == .temporaryFile }.count == 3)
        #expect(report.removed.filter { $0.kind == .stagingFolder }.count == 1)
        #expect(report.lines.first?.hasPrefix("swept leftovers of killed runs: 3 temporary files, 1 staging folder (") == true)
    }

    @Test func sweepsRunFoldersOfTheLockedWorkflowAndMarksDeadRunsInterrupted() throws {
        let history = RunHistory(outputs: outputs, workflow: "train")
        let empty = try plant(history.runsURL.appendingPathComponent("2026-11-22T01-00-00Z/log.txt"), age: 600)
            .deletingLastPathComponent()
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-600)], ofItemAtPath: empty.path)
        let young = history.runsURL.appendingPathComponent("2026-11-22T01-00-01Z")
        try FileManager.default.createDirectory(at: young, withIntermediateDirectories: true)
        let otherWorkflow = RunHistory(outputs: outputs, workflow: "retrain").runsURL.appendingPathComponent("2026-11-22T01-00-00Z")
        try FileManager.default.createDirectory(at: otherWorkflow, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-600)], ofItemAtPath: otherWorkflow.path)

        // A run killed while training: run.json still says running.
        let steps = [PlanStep(name: "load", fingerprint: StepFingerprint(text: "load")),
                     PlanStep(name: "train", inputs: [StepInput(artifact: "set", producer: "load")],
                              fingerprint: StepFingerprint(text: "train"))]
        let plan = try Planner(workflow: "train", steps: steps, runnerVersion: "0.1.0", previous: nil, mode: .all).plan { _ in nil }
        var killed = try RunDirectory.begin(history: history, plan: plan, mode: .all, fingerprints: [:], now: now.addingTimeInterval(-300))
        try killed.finishStep("load", outcome: .computed, seconds: 1)

        let report = LeftoverSweeper(outputs: outputs).sweep(lockedWorkflows: ["train"], now: now)
        #expect(!exists(empty))
        #expect(exists(young), "a refused run may be writing its run.json")
        #expect(exists(otherWorkflow), "retrain's lock is not held")
        #expect(report.markedInterrupted == [killed.record.id])
        let record = try #require(try history.records().first { $0.id == killed.record.id })
        #expect(record.status == .interrupted && record.error?.contains("killed") == true)
        #expect(record.steps.map(\.outcome) == [.computed, .interrupted])
        #expect(report.lines.contains("run \(killed.record.id) was still marked running (its process was killed): marked interrupted"))

        // Nothing left: a second sweep does nothing.
        #expect(LeftoverSweeper(outputs: outputs).sweep(lockedWorkflows: ["train"], now: now).isEmpty)
    }
}
