import Foundation
import Runtime
import Testing

struct CacheCollectorTests {
    let dir: TemporaryDirectory
    let store: CacheStore

    init() throws {
        dir = try TemporaryDirectory()
        store = CacheStore(outputs: dir.url)
    }

    static func key(_ text: String) -> CacheKey {
        CacheKey(fingerprint: StepFingerprint(text: text), inputKeys: [], runnerVersion: "0.1.0")
    }

    /// Records a finished run of `workflow` whose steps used the entries `texts` (computed) and stores them.
    func run(_ workflow: String, at seconds: TimeInterval, steps texts: [String], skipped: [String] = []) throws {
        let steps = (texts + skipped).map { PlanStep(name: $0, fingerprint: StepFingerprint(text: $0)) }
        let planner = Planner(workflow: workflow, steps: steps, runnerVersion: "0.1.0", previous: nil,
                              mode: skipped.isEmpty ? .all : .only(texts[0]))
        let plan = try planner.plan { _ in nil }
        let history = RunHistory(outputs: dir.url, workflow: workflow)
        var run = try RunDirectory.begin(history: history, plan: plan, mode: planner.mode, fingerprints: [:],
                                         now: Date(timeIntervalSince1970: seconds))
        for text in texts {
            try store.store(CachedOutputs(), key: Self.key(text), step: text, workflow: workflow, runID: run.record.id)
            try run.finishStep(text, outcome: .computed, seconds: 0.1)
        }
        try run.finish(status: .succeeded, now: Date(timeIntervalSince1970: seconds + 1))
    }

    func present() throws -> Set<String> {
        Set(try store.entries().map(\.step))
    }

    @Test func keepsWhatTheLatestRunOfEachWorkflowUses() throws {
        try run("train", at: 1_000, steps: ["load", "train-epochs-1"])
        try run("train", at: 2_000, steps: ["load", "train-epochs-2"])
        try run("retrain", at: 1_500, steps: ["finetune-old"])
        try run("retrain", at: 2_500, steps: ["finetune-new"])
        // An entry no run lists, e.g. from a run whose folder was deleted.
        try store.store(CachedOutputs(), key: Self.key("orphan"), step: "orphan", workflow: "train", runID: "gone")

        let report = try CacheCollector(outputs: dir.url).collect(keepRuns: 1)
        #expect(try present() == ["load", "train-epochs-2", "finetune-new"])
        #expect(report.kept == 3)
        #expect(report.deleted.count == 3)
        #expect(report.freedBytes > 0)
        #expect(report.lines.last == "freed \(ByteCount.format(report.freedBytes)) in 3 files; kept 3 entries (latest run of each workflow, its last successful full run, each step's newest result)")
        #expect(report.lines.contains { $0.hasPrefix("deleted \(Self.key("orphan").prefix) train/orphan (") })
    }

    @Test func keepRunsKeepsMoreHistory() throws {
        try run("train", at: 1_000, steps: ["a1"])
        try run("train", at: 2_000, steps: ["a2"])
        try run("train", at: 3_000, steps: ["a3"])
        _ = try CacheCollector(outputs: dir.url).collect(keepRuns: 2)
        #expect(try present() == ["a2", "a3"])
    }

    @Test func skippedStepsAreNotKept() throws {
        try run("train", at: 1_000, steps: ["evaluate"], skipped: ["plot"])
        try store.store(CachedOutputs(), key: Self.key("plot"), step: "plot", workflow: "train", runID: "old")
        _ = try CacheCollector(outputs: dir.url).collect()
        #expect(try present() == ["evaluate"])
    }

    /// Records a run of the two-step workflow load -> train, with `train`'s text naming its setup; `done` are
    /// the steps it finished (each stores its entry), the others are left as the run's mode and end leave them.
    func twoStepRun(at seconds: TimeInterval, train: String, mode: PlanMode, done: [String],
                    status: RunStatus) throws -> (load: CacheKey, train: CacheKey) {
        let steps = [PlanStep(name: "load", fingerprint: StepFingerprint(text: "load")),
                     PlanStep(name: "train", inputs: [StepInput(artifact: "set", producer: "load")],
                              fingerprint: StepFingerprint(text: train))]
        let plan = try Planner(workflow: "train", steps: steps, runnerVersion: "0.1.0", previous: nil, mode: mode)
            .plan { _ in nil }
        var run = try RunDirectory.begin(history: RunHistory(outputs: dir.url, workflow: "train"), plan: plan, mode: mode,
                                         fingerprints: [:], now: Date(timeIntervalSince1970: seconds))
        for step in plan.steps where done.contains(step.name) {
            try store.store(CachedOutputs(), key: step.key, step: step.name == "train" ? train : "load", workflow: "train",
                            runID: run.record.id)
            try run.finishStep(step.name, outcome: .computed, seconds: 0.1)
        }
        if status == .interrupted, let next = plan.steps.first(where: { !done.contains($0.name) }) {
            try run.finishStep(next.name, outcome: .interrupted, seconds: 0.1)
        }
        try run.finish(status: status, now: Date(timeIntervalSince1970: seconds + 1))
        return (plan.steps[0].key, plan.steps[1].key)
    }

    @Test func aFromRunDoesNotDropTheStepsItSkipped() throws {
        _ = try twoStepRun(at: 1_000, train: "train-epochs-1", mode: .all, done: ["load", "train"], status: .succeeded)
        // `--from train` with another setting: load is skipped (its entry is read, not listed as used).
        _ = try twoStepRun(at: 2_000, train: "train-epochs-2", mode: .from("train"), done: ["train"], status: .succeeded)
        _ = try CacheCollector(outputs: dir.url).collect()
        #expect(try present() == ["load", "train-epochs-1", "train-epochs-2"])
    }

    @Test func anInterruptedRunDoesNotDropTheLastGoodRun() throws {
        _ = try twoStepRun(at: 1_000, train: "train-epochs-1", mode: .all, done: ["load", "train"], status: .succeeded)
        _ = try twoStepRun(at: 2_000, train: "train-epochs-50", mode: .all, done: ["load"], status: .interrupted)
        let report = try CacheCollector(outputs: dir.url).collect()
        #expect(try present() == ["load", "train-epochs-1"])
        #expect(report.deleted.isEmpty)
    }

    @Test func aStepsNewestResultIsKeptButOlderSetupsGo() throws {
        _ = try twoStepRun(at: 1_000, train: "train-epochs-1", mode: .all, done: ["load", "train"], status: .succeeded)
        _ = try twoStepRun(at: 2_000, train: "train-epochs-2", mode: .all, done: ["load", "train"], status: .succeeded)
        // A failed later run that changed train: its load is the same entry, its train never finished.
        _ = try twoStepRun(at: 3_000, train: "train-epochs-3", mode: .all, done: ["load"], status: .failed)
        _ = try CacheCollector(outputs: dir.url).collect()
        #expect(try present() == ["load", "train-epochs-2"])
    }

    @Test func refusesWhileARunHoldsALock() throws {
        try run("train", at: 1_000, steps: ["load"])
        try store.store(CachedOutputs(), key: Self.key("old"), step: "old", workflow: "train", runID: "old")
        let lock = try WorkflowLock.acquire(workflow: "train", directory: dir.path("train"))
        defer { lock.release() }
        let error = #expect(throws: LockError.self) { try CacheCollector(outputs: dir.url).collect() }
        #expect(error?.code == .held)
        #expect(try present() == ["load", "old"])
    }

    /// A sweep's points are run folders of their own: what a point's latest run used is kept, and a running point
    /// (its lock held) stops gc as a running workflow does.
    @Test func keepsWhatSweepPointsUsedAndWaitsForARunningPoint() throws {
        try run("train", at: 1_000, steps: ["load", "train-default"])
        for (point, lr) in ["0", "1"].enumerated() {
            try run("train/sweeps/2026-11-30T10-00-00Z/points/\(point)", at: 2_000 + Double(point), steps: ["load", "train-lr-\(lr)"])
        }
        try run("train/sweeps/2026-11-30T10-00-00Z/points/1", at: 3_000, steps: ["load", "train-lr-1-again"])
        try store.store(CachedOutputs(), key: Self.key("unused"), step: "unused", workflow: "train", runID: "gone")

        let point = dir.path("train/sweeps/2026-11-30T10-00-00Z/points/0")
        let lock = try WorkflowLock.acquire(workflow: "train (sweep point 0)", directory: point)
        let error = #expect(throws: LockError.self) { try CacheCollector(outputs: dir.url).collect(keepRuns: 1) }
        #expect(error?.code == .held)
        #expect(error.map { "\($0)" }?.contains("point 0") == true, "\(String(describing: error))")
        lock.release()

        _ = try CacheCollector(outputs: dir.url).collect(keepRuns: 1)
        #expect(try present() == ["load", "train-default", "train-lr-0", "train-lr-1-again"])
    }

    @Test func rejectsKeepingNoRuns() throws {
        #expect(throws: CacheError.self) { try CacheCollector(outputs: dir.url).collect(keepRuns: 0) }
    }
}
