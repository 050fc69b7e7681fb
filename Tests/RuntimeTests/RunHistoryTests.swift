import Foundation
import Runtime
import Testing

struct RunHistoryTests {
    let dir: TemporaryDirectory
    let history: RunHistory
    let start = Date(timeIntervalSince1970: 1_795_309_323) // 2026-11-22T01:02:03Z

    init() throws {
        dir = try TemporaryDirectory()
        history = RunHistory(outputs: dir.url, workflow: "train")
    }

    static let fingerprints = [
        "load": StepFingerprint(text: "load mnist", parameters: ["limit": "1000"]),
        "train": StepFingerprint(text: "train", parameters: ["epochs": "1"]),
    ]

    func plan(mode: PlanMode = .all, previous: PreviousRun? = nil, cached: [CacheKey: String] = [:]) throws -> Plan {
        let steps = [
            PlanStep(name: "load", fingerprint: Self.fingerprints["load"]!),
            PlanStep(name: "train", inputs: [StepInput(artifact: "set", producer: "load")],
                     fingerprint: Self.fingerprints["train"]!),
        ]
        return try Planner(workflow: "train", steps: steps, runnerVersion: "0.1.0", previous: previous, mode: mode)
            .plan { cached[$0] }
    }

    @Test func runFolderRecordsEveryStep() throws {
        let plan = try plan()
        var run = try RunDirectory.begin(history: history, plan: plan, mode: .all, fingerprints: Self.fingerprints,
                                         seed: 7, runnerVersion: "0.1.0", now: start)
        #expect(run.url.lastPathComponent == "2026-11-22T01-02-03Z")
        #expect(run.record.id == "2026-11-22T01:02:03Z")
        try run.finishStep("load", outcome: .computed, seconds: 1.5)
        try run.finishStep("train", outcome: .failed, seconds: 2)
        try run.finish(status: .failed, now: start.addingTimeInterval(4))

        let saved = try #require(try history.latest())
        #expect(saved == run.record)
        #expect(saved.started == "2026-11-22T01:02:03Z" && saved.ended == "2026-11-22T01:02:07Z")
        #expect(saved.status == .failed && saved.seed == 7 && saved.mode == "all")
        #expect(saved.steps.map(\.name) == ["load", "train"])
        #expect(saved.steps[0].reason == "runs: never run before")
        #expect(saved.steps[0].action == "run" && saved.steps[0].outcome == .computed && saved.steps[0].seconds == 1.5)
        #expect(saved.steps[1].seed == stepSeed(runSeed: 7, step: "train"))
        #expect(saved.steps[0].key == plan.steps[0].key)
        #expect(saved.steps[0].fingerprint == Self.fingerprints["load"])
        #expect(saved.usedKeys == [plan.steps[0].key])

        let log = try String(contentsOf: run.logURL, encoding: .utf8)
        #expect(log == """
            [2026-11-22T01:02:03Z] run 2026-11-22T01:02:03Z of train: all, runner 0.1.0, seed 7
            [2026-11-22T01:02:03Z] load: seed \(stepSeed(runSeed: 7, step: "load")); runs: never run before
            [2026-11-22T01:02:03Z] train: seed \(stepSeed(runSeed: 7, step: "train")); runs: never run before

            """)
        let json = try String(contentsOf: run.recordURL, encoding: .utf8)
        #expect(json.contains(#""status" : "failed""#))
    }

    @Test func runsStartedInTheSameSecondGetTheirOwnFolders() throws {
        let first = try RunDirectory.begin(history: history, plan: plan(), mode: .all, fingerprints: [:], now: start)
        let second = try RunDirectory.begin(history: history, plan: plan(), mode: .force, fingerprints: [:], now: start)
        #expect(first.url != second.url)
        #expect(second.record.id == "2026-11-22T01:02:03Z-2")
        #expect(try history.records().map(\.id) == ["2026-11-22T01:02:03Z", "2026-11-22T01:02:03Z-2"])
        #expect(try history.latest()?.mode == "force")
    }

    @Test func previousRunRemembersStepsThatLaterOnlyRunsSkipped() throws {
        #expect(try history.previousRun() == nil)
        let full = try plan()
        var first = try RunDirectory.begin(history: history, plan: full, mode: .all,
                                           fingerprints: Self.fingerprints, now: start)
        try first.finishStep("load", outcome: .computed, seconds: 1)
        try first.finishStep("train", outcome: .computed, seconds: 1)
        try first.finish(status: .succeeded)

        let cached = Dictionary(uniqueKeysWithValues: full.steps.map { ($0.key, first.record.id) })
        let previous = try #require(try history.previousRun())
        let only = try plan(mode: .only("train"), previous: previous, cached: cached)
        var second = try RunDirectory.begin(history: history, plan: only, mode: .only("train"),
                                            fingerprints: Self.fingerprints, now: start.addingTimeInterval(60))
        try second.finishStep("train", outcome: .computed, seconds: 1)
        try second.finish(status: .succeeded)
        #expect(second.record.mode == "only train")

        let latest = try #require(try history.previousRun())
        #expect(latest.steps["load"]?.key == full.steps[0].key)
        #expect(latest.steps["train"]?.key == full.steps[1].key)
        #expect(latest.steps["load"]?.runnerVersion == StepwiseVersion.withEngine)
    }

    @Test func unreadableRunFoldersAreIgnored() throws {
        try FileManager.default.createDirectory(at: history.runsURL.appendingPathComponent("2026-11-22T00-00-00Z"),
                                                withIntermediateDirectories: true)
        #expect(try history.records().isEmpty)
    }

    @Test func stepSeedsAreStableAndDistinct() {
        #expect(stepSeed(runSeed: 42, step: "train") == stepSeed(runSeed: 42, step: "train"))
        #expect(stepSeed(runSeed: 42, step: "train") != stepSeed(runSeed: 43, step: "train"))
        #expect(stepSeed(runSeed: 42, step: "train") != stepSeed(runSeed: 42, step: "finetune"))
        #expect(defaultRunSeed == 42)
    }

    @Test func timestampsAreUTCToTheSecond() {
        #expect(Timestamp.string(start) == "2026-11-22T01:02:03Z")
        #expect(Timestamp.folderName(start) == "2026-11-22T01-02-03Z")
        #expect(Timestamp.date("2026-11-22T01:02:03Z") == start)
    }
}
