import Foundation
@testable import Runtime
import Testing

/// Keys and plan reasons of the shipped training workflow, as `stepwise plan` builds them (no data needed:
/// missing data files are keyed as "missing").
struct CanonicalKeyTests {
    let project: TemporaryDirectory

    init() throws {
        project = try TemporaryDirectory()
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Workflows/train")
        try FileManager.default.createDirectory(at: project.path("Workflows"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: shipped, to: project.path("Workflows", "train"))
    }

    func options(_ overrides: [String] = [], mode: PlanMode = .all, seed: UInt64 = defaultRunSeed,
                 threads: Int = RunOptions.defaultThreads) -> RunOptions {
        RunOptions(workflow: "train", mode: mode, overrides: overrides, dataDirectory: project.path("no-data"),
                   seed: seed, threads: threads)
    }

    /// The workflow's name and its steps as the planner sees them.
    func planSteps(_ options: RunOptions) throws -> (name: String, steps: [PlanStep]) {
        let runner = WorkflowRunner(projectRoot: project.url, options: options)
        let (workflow, name) = try runner.loadChecked()
        var fingerprinter = FileFingerprinter(cache: CacheStore(outputs: runner.outputs))
        return (name, try runner.planSteps(workflow, name: name, fingerprinter: &fingerprinter))
    }

    /// Every step's planner view and key, by step name.
    func keyed(_ options: RunOptions) throws -> [String: (step: PlanStep, key: CacheKey)] {
        let (name, steps) = try planSteps(options)
        let keys = try Planner(workflow: name, steps: steps, previous: nil).keys()
        return Dictionary(uniqueKeysWithValues: zip(steps, keys).map { ($0.name, ($0, $1)) })
    }

    func keys(_ options: RunOptions) throws -> [String: CacheKey] {
        try keyed(options).mapValues(\.key)
    }

    /// The plan lines after a recorded run with `before` and then `change` to the files, when nothing is cached
    /// but what that run made.
    func plan(after before: RunOptions, _ now: RunOptions, change: () throws -> Void = {}) throws -> [String: String] {
        let old = try keyed(before)
        let previous = PreviousRun(steps: old.mapValues {
            PreviousStep(key: $0.key, fingerprint: $0.step.fingerprint, runnerVersion: StepwiseVersion.withEngine)
        })
        let cached = Set(old.values.map(\.key))
        try change()
        let (name, steps) = try planSteps(now)
        let plan = try Planner(workflow: name, steps: steps, previous: previous, mode: now.mode,
                               command: now.command(mode:)).plan { cached.contains($0) ? "before" : nil }
        return Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.name, $0.action.description) })
    }

    func edit(_ file: String, _ change: (String) -> String) throws {
        let url = project.path("Workflows", "train", file)
        try change(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func numberSpellingDoesNotChangeAnyKey() throws {
        let before = try keys(options())
        try edit("01-load.step") { $0.replacingOccurrences(of: "limit 60_000", with: "limit 60000") }
        try edit("04-train.step") { $0.replacingOccurrences(of: "lr 0.003", with: "lr 3e-3") }
        try edit("02-preprocess.step") { $0.replacingOccurrences(of: "scale 1/255", with: "scale 0.00392156862745098") }
        #expect(try keys(options()) == before)
    }

    @Test func overrideEqualToTheFileValueIsACacheHit() throws {
        #expect(try keys(options(["load.limit=60000", "train.epochs=24"])) == keys(options()))
    }

    @Test func swappedLinesAndWrittenOutDefaultsAreCacheHits() throws {
        let before = try keys(options())
        try edit("04-train.step") {
            $0.replacingOccurrences(of: "    epochs 24\n    batch 128\n", with: "    batch 128\n    epochs 24\n")
                + "    momentum 0.9\n    seed auto\n    weight_decay 0\n"
        }
        try edit("03-build.step") { $0.replacingOccurrences(of: "conv 64 3x3 relu", with: "conv 64 3 stride 1 relu") }
        #expect(try keys(options()) == before)
    }

    @Test func theSeedReachesOnlyStepsThatDrawRandomNumbers() throws {
        let before = try keys(options()), seven = try keys(options(seed: 7))
        #expect(seven["load"] == before["load"])
        for step in ["preprocess", "build", "train"] { #expect(seven[step] != before[step], "\(step)") }
        let plan = try plan(after: options(), options(seed: 7))
        #expect(plan["load"] == "cached (run before)")
        #expect(plan["build"] == "runs: run seed changed from 42 to 7")
        #expect(plan["preprocess"] == "runs: run seed changed from 42 to 7")
        // evaluate uses no randomness: it reruns only because the model it reads changed.
        #expect(plan["evaluate"] == "runs: input from train changed")
    }

    @Test func aStepsOwnSeedIsNotTheRunSeed() throws {
        let own = try keyed(options(["train.seed=5"])), ownSeven = try keyed(options(["train.seed=5"], seed: 7))
        #expect(own["train"]?.step.fingerprint == ownSeven["train"]?.step.fingerprint)
        #expect(own["train"]?.step.fingerprint.seed == 5 && own["train"]?.step.fingerprint.runSeed == nil)
        let plan = try plan(after: options(), options(["train.seed=5"]))
        #expect(plan["train"] == "runs: seed changed from auto to 5")
    }

    @Test func bothThreadSpellingsGiveTheSameTrainKey() throws {
        let byFlag = try keys(options(threads: 1)), bySet = try keys(options(["train.threads=1"]))
        let usual = try keys(options())
        #expect(byFlag["train"] == bySet["train"])
        #expect(byFlag["train"] != usual["train"])
        #expect(try keys(options(["train.threads=2"]))["train"] == usual["train"], "2 is --threads' default")
        // evaluate runs with --threads, whatever train's own parameter says.
        #expect(bySet["evaluate"] != usual["evaluate"] && bySet["evaluate"] != byFlag["evaluate"])
        #expect(byFlag["load"] == usual["load"] && byFlag["build"] == usual["build"])
        let plan = try plan(after: options(), options(threads: 1))
        #expect(plan["train"] == "runs: threads changed from 2 to 1")
    }

    @Test func aLayerEditIsExplainedLineByLine() throws {
        let plan = try plan(after: options(), options()) {
            try edit("03-build.step") {
                $0.replacingOccurrences(of: "conv 64 3x3 relu", with: "conv 32 3x3 relu")
                    .replacingOccurrences(of: "    dense 10", with: "    dense 64 relu\n    dense 10")
            }
        }
        #expect(plan["build"] == #"runs: layer 3 changed from "conv 64 3x3 relu" to "conv 32 3x3 relu"; "#
            + #"layer 9 added: "dense 64 relu""#)
        #expect(plan["preprocess"] == "cached (run before)")
    }

    @Test func theMissingInputErrorRepeatsTheUsersOptions() throws {
        let now = RunOptions(workflow: "train", mode: .only("evaluate"), overrides: ["train.epochs=1", "load.limit=7000"],
                             dataDirectory: project.path("no-data"), seed: 7, dataFlag: "/data/mnist")
        let runner = WorkflowRunner(projectRoot: project.url, options: now)
        let error = #expect(throws: PlanError.self) { try runner.plan { _ in } }
        #expect(error?.message == "step evaluate reads trained from step train, which is not in the cache; make it with "
            + "`stepwise run train --from train --set train.epochs=1 --set load.limit=7000 --data /data/mnist --seed 7`")
    }
}
