import Foundation
@testable import Runtime
import Testing

/// The planner as a pure function: steps, previous run and a dictionary standing in for the cache.
struct PlannerTests {
    static let runID = "2026-11-22T01:02:03Z"

    /// load -> preprocess -> build, train(preprocess, build) -> evaluate(train, preprocess).
    static let layers = ["conv 32 3x3 relu", "maxpool 2", "conv 64 3x3 relu", "maxpool 2", "flatten", "dense 10"]

    static func steps(epochs: String = "1", lr: String? = nil, buildText: String = "build -> model",
                      layers: [String] = layers, imagesHash: String = "sha256:11", runSeed: UInt64 = 42,
                      trainInputs: String = "model, train_set", threads: Int = 2) -> [PlanStep] {
        var trainParameters = ["epochs": epochs, "batch": "64"]
        trainParameters["lr"] = lr
        return [
            PlanStep(name: "load", fingerprint: StepFingerprint(
                text: "load mnist -> train_raw", parameters: ["limit": "60000"],
                files: ["data/train-images-idx3-ubyte.gz": imagesHash])),
            PlanStep(name: "preprocess", inputs: [StepInput(artifact: "train_raw", producer: "load")],
                     fingerprint: StepFingerprint(text: "preprocess train_raw -> train_set, val_set")),
            PlanStep(name: "build", fingerprint: StepFingerprint(
                text: buildText, layers: layers, seed: stepSeed(runSeed: runSeed, step: "build"), runSeed: runSeed)),
            PlanStep(name: "train", inputs: [StepInput(artifact: "train_set", producer: "preprocess"),
                                             StepInput(artifact: "model", producer: "build")],
                     fingerprint: StepFingerprint(text: "train \(trainInputs) -> trained", parameters: trainParameters,
                                                  seed: stepSeed(runSeed: runSeed, step: "train"), runSeed: runSeed,
                                                  threads: threads)),
            PlanStep(name: "evaluate", inputs: [StepInput(artifact: "trained", producer: "train"),
                                                StepInput(artifact: "val_set", producer: "preprocess")],
                     fingerprint: StepFingerprint(text: "evaluate trained on val_set")),
        ]
    }

    /// What a completed run of `steps` leaves behind: its record and its cache entries.
    struct World {
        var previous: PreviousRun?
        var cache: [CacheKey: String] = [:]

        mutating func record(_ steps: [PlanStep], runID: String = PlannerTests.runID, version: String = "0.1.0") throws {
            let planner = Planner(workflow: "train", steps: steps, runnerVersion: version, previous: previous)
            let keys = try planner.keys()
            var recorded = previous?.steps ?? [:]
            for (step, key) in zip(steps, keys) {
                recorded[step.name] = PreviousStep(key: key, fingerprint: step.fingerprint, runnerVersion: version)
                if cache[key] == nil { cache[key] = runID }
            }
            previous = PreviousRun(steps: recorded)
        }

        func plan(_ steps: [PlanStep], mode: PlanMode = .all, version: String = "0.1.0") throws -> Plan {
            try Planner(workflow: "train", steps: steps, runnerVersion: version, previous: previous, mode: mode)
                .plan { cache[$0] }
        }
    }

    static func recorded() throws -> World {
        var world = World()
        try world.record(steps())
        return world
    }

    @Test func firstRunRunsEverythingNeverRunBefore() throws {
        let plan = try World().plan(Self.steps())
        #expect(plan.lines == [
            "load: runs: never run before",
            "preprocess: runs: never run before",
            "build: runs: never run before",
            "train: runs: never run before",
            "evaluate: runs: never run before",
        ])
    }

    @Test func unchangedWorkflowComesFromTheCache() throws {
        let plan = try Self.recorded().plan(Self.steps())
        #expect(plan.lines.allSatisfy { $0.hasSuffix(": cached (run 2026-11-22T01:02:03Z)") })
        let key = try #require(plan["train"]?.key)
        #expect(plan["train"]?.action == .cached(key: key, runID: Self.runID))
    }

    @Test func parameterChangeRerunsTheStepAndWhatReadsIt() throws {
        let plan = try Self.recorded().plan(Self.steps(epochs: "2"))
        #expect(plan.lines == [
            "load: cached (run 2026-11-22T01:02:03Z)",
            "preprocess: cached (run 2026-11-22T01:02:03Z)",
            "build: cached (run 2026-11-22T01:02:03Z)",
            "train: runs: epochs changed from 1 to 2",
            "evaluate: runs: input from train changed",
        ])
    }

    @Test func flippingAParameterBackFindsTheOldEntry() throws {
        var world = try Self.recorded()
        let original = try world.plan(Self.steps())
        try world.record(Self.steps(epochs: "2"), runID: "2026-11-22T02:00:00Z")
        let back = try world.plan(Self.steps(epochs: "1"))
        #expect(back["train"]?.key == original["train"]?.key)
        #expect(back["train"]?.action.description == "cached (run 2026-11-22T01:02:03Z)")
        #expect(back["evaluate"]?.action.description == "cached (run 2026-11-22T01:02:03Z)")
    }

    @Test func addedAndRemovedParameters() throws {
        var world = try Self.recorded()
        #expect(try world.plan(Self.steps(lr: "0.01"))["train"]?.action.description
            == "runs: lr added with value 0.01")
        try world.record(Self.steps(lr: "0.01"), runID: "2026-11-22T02:00:00Z")
        world.cache = [:]
        #expect(try world.plan(Self.steps(epochs: "3"))["train"]?.action.description
            == "runs: epochs changed from 1 to 3; lr removed (was 0.01)")
    }

    @Test func layerChangeNamesTheLayerLine() throws {
        var changed = Self.layers
        changed[2] = "conv 32 3x3 relu"
        let plan = try Self.recorded().plan(Self.steps(layers: changed))
        #expect(plan["build"]?.action.description == #"runs: layer 3 changed from "conv 64 3x3 relu" to "conv 32 3x3 relu""#)
        #expect(plan["train"]?.action.description == "runs: input from build changed")
        #expect(plan["preprocess"]?.action.description == "cached (run 2026-11-22T01:02:03Z)")
    }

    @Test func addedAndRemovedLayersAreNumberedWhereTheyAre() {
        let old = Self.layers
        var new = old
        new.insert("dense 128 relu", at: 5)
        #expect(StepFingerprint.layerChanges(from: old, to: new).map(\.description) == [#"layer 6 added: "dense 128 relu""#])
        #expect(StepFingerprint.layerChanges(from: new, to: old).map(\.description) == [#"layer 6 removed (was "dense 128 relu")"#])
        // A changed line and an added one further down: each named once, the others matched.
        var both = old
        both[2] = "conv 32 3x3 relu"
        both.insert("dropout 0.5", at: 5)
        #expect(StepFingerprint.layerChanges(from: old, to: both).map(\.description) == [
            #"layer 3 changed from "conv 64 3x3 relu" to "conv 32 3x3 relu""#, #"layer 6 added: "dropout 0.5""#,
        ])
        #expect(StepFingerprint.layerChanges(from: old, to: old).isEmpty)
        #expect(StepFingerprint.layerChanges(from: [], to: ["flatten"]).map(\.description) == [#"layer 1 added: "flatten""#])
    }

    @Test func reorderedInputsSayWhat() throws {
        let plan = try Self.recorded().plan(Self.steps(trainInputs: "train_set, model"))
        #expect(plan["train"]?.action.description == "runs: inputs changed from model, train_set to train_set, model")
    }

    @Test func headerChangesNameThePart() throws {
        let plan = try Self.recorded().plan(Self.steps(buildText: "build -> net"))
        #expect(plan["build"]?.action.description == "runs: outputs changed from model to net")
        let kind = try Self.recorded().plan(Self.steps(buildText: "load -> model"))
        #expect(kind["build"]?.action.description == "runs: kind changed from build to load")
        let odd = try Self.recorded().plan(Self.steps(buildText: "build -> a -> b"))
        #expect(odd["build"]?.action.description == #"runs: header changed from "build -> model" to "build -> a -> b""#)
    }

    @Test func runSeedChangeNamesTheRunSeedNotTheDerivedOne() throws {
        let plan = try Self.recorded().plan(Self.steps(runSeed: 7))
        #expect(plan["build"]?.action.description == "runs: run seed changed from 42 to 7")
        #expect(plan["train"]?.action.description == "runs: run seed changed from 42 to 7; input from build changed")
        // load, preprocess and evaluate have no seed in these fingerprints: they stay cached.
        #expect(plan["load"]?.action.description == "cached (run 2026-11-22T01:02:03Z)")
        #expect(plan["preprocess"]?.action.description == "cached (run 2026-11-22T01:02:03Z)")
    }

    @Test func threadsChangeIsNamed() throws {
        let plan = try Self.recorded().plan(Self.steps(threads: 1))
        #expect(plan["train"]?.action.description == "runs: threads changed from 2 to 1")
    }

    @Test func aNewRunnerVersionIsTheOnlyReasonItGives() throws {
        // Fingerprints of another version may be built differently (0.1.0 keyed the step's text): not compared.
        let plan = try Self.recorded().plan(Self.steps(epochs: "3", runSeed: 7), version: "0.2.0")
        #expect(plan["train"]?.action.description
            == "runs: runner version changed from 0.1.0 to 0.2.0; input from preprocess changed; input from build changed")
    }

    @Test func fileChangeRerunsTheReaderAndEverythingDownstream() throws {
        let plan = try Self.recorded().plan(Self.steps(imagesHash: "sha256:22"))
        #expect(plan.lines == [
            "load: runs: file data/train-images-idx3-ubyte.gz changed",
            "preprocess: runs: input from load changed",
            "build: cached (run 2026-11-22T01:02:03Z)",
            "train: runs: input from preprocess changed",
            "evaluate: runs: input from train changed; input from preprocess changed",
        ])
    }

    @Test func newRunnerVersionRerunsEverything() throws {
        let plan = try Self.recorded().plan(Self.steps(), version: "0.2.0")
        #expect(plan["build"]?.action.description == "runs: runner version changed from 0.1.0 to 0.2.0")
        #expect(plan["train"]?.action.description
            == "runs: runner version changed from 0.1.0 to 0.2.0; input from preprocess changed; input from build changed")
    }

    @Test func missingEntryOfAnUnchangedStep() throws {
        var world = try Self.recorded()
        let keys = try Planner(workflow: "train", steps: Self.steps(), runnerVersion: "0.1.0", previous: nil).keys()
        world.cache[keys[3]] = nil
        let plan = try world.plan(Self.steps())
        #expect(plan["train"]?.action == .run(key: keys[3], reasons: [.cacheEntryMissing]))
        #expect(plan["train"]?.action.description == "runs: cache entry missing")
        // Its key did not change, so what reads it is still cached.
        #expect(plan["evaluate"]?.action.description == "cached (run 2026-11-22T01:02:03Z)")
    }

    @Test func forceRunsEverything() throws {
        let plan = try Self.recorded().plan(Self.steps(), mode: .force)
        #expect(plan.lines.allSatisfy { $0.hasSuffix(": runs: forced") })
        #expect(plan.steps.count == 5)
    }

    @Test func fromRunsTheStepAndLaterOnesAndUsesTheCacheBefore() throws {
        let plan = try Self.recorded().plan(Self.steps(), mode: .from("train"))
        #expect(plan.lines == [
            "load: skipped (not selected)",
            "preprocess: cached (run 2026-11-22T01:02:03Z)",
            "build: cached (run 2026-11-22T01:02:03Z)",
            "train: runs: forced",
            "evaluate: runs: forced",
        ])
    }

    @Test func fromRunsEarlierStepsWhoseEntriesAreMissing() throws {
        var world = try Self.recorded()
        let keys = try Planner(workflow: "train", steps: Self.steps(), runnerVersion: "0.1.0", previous: nil).keys()
        world.cache[keys[1]] = nil
        let plan = try world.plan(Self.steps(), mode: .from("evaluate"))
        #expect(plan.lines == [
            "load: cached (run 2026-11-22T01:02:03Z)",
            "preprocess: runs: cache entry missing",
            "build: skipped (not selected)",
            "train: cached (run 2026-11-22T01:02:03Z)",
            "evaluate: runs: forced",
        ])
    }

    @Test func onlyRunsOneStepFromCachedInputs() throws {
        let plan = try Self.recorded().plan(Self.steps(), mode: .only("evaluate"))
        #expect(plan.lines == [
            "load: skipped (not selected)",
            "preprocess: cached (run 2026-11-22T01:02:03Z)",
            "build: skipped (not selected)",
            "train: cached (run 2026-11-22T01:02:03Z)",
            "evaluate: runs: forced",
        ])
        #expect(plan["load"]?.action == .skip)
    }

    @Test func onlyExplainsAChangedStep() throws {
        let plan = try Self.recorded().plan(Self.steps(lr: "0.01"), mode: .only("train"))
        #expect(plan["train"]?.action.description == "runs: lr added with value 0.01")
        #expect(plan["evaluate"]?.action == .skip)
    }

    @Test func onlyNamesTheMissingInputAndTheCommandThatMakesIt() throws {
        let world = try Self.recorded()
        let error = #expect(throws: PlanError.self) {
            try world.plan(Self.steps(epochs: "5"), mode: .only("evaluate"))
        }
        #expect(error?.code == .missingInput)
        #expect(error?.message == "step evaluate reads trained from step train, which is not in the cache; "
            + "make it with `stepwise run train --from train`")
    }

    @Test func theSuggestedCommandComesFromTheRunOptions() throws {
        let world = try Self.recorded()
        let options = RunOptions(workflow: "Workflows/train", overrides: ["train.epochs=5", #"save.path="a b.safetensors""#],
                                 dataDirectory: URL(fileURLWithPath: "/data"), seed: 7, threads: 1, dataFlag: "/data/mnist")
        let planner = Planner(workflow: "train", steps: Self.steps(epochs: "5"), runnerVersion: "0.1.0",
                              previous: world.previous, mode: .only("evaluate"), command: options.command(mode:))
        let error = #expect(throws: PlanError.self) { try planner.plan { world.cache[$0] } }
        #expect(error?.message == "step evaluate reads trained from step train, which is not in the cache; make it with "
            + #"`stepwise run Workflows/train --from train --set train.epochs=5 --set 'save.path="a b.safetensors"' "#
            + "--data /data/mnist --seed 7 --threads 1`")
    }

    @Test func suggestedCommandsAreShellQuotedAndLeaveDefaultsOut() {
        let plain = RunOptions(workflow: "train", dataDirectory: URL(fileURLWithPath: "/data"))
        #expect(plain.command(mode: .from("evaluate")) == "stepwise run train --from evaluate")
        #expect(plain.command(mode: .all) == "stepwise run train")
        let odd = RunOptions(workflow: "my flows/train", mode: .force, overrides: ["save.path=it's"],
                             dataDirectory: URL(fileURLWithPath: "/data"), projectFlag: "../proj")
        #expect(odd.command(mode: .only("save"))
            == #"stepwise run 'my flows/train' --only save --set 'save.path=it'\''s' --project ../proj"#)
    }

    @Test func unknownStepInAnOption() throws {
        let error = #expect(throws: PlanError.self) { try World().plan(Self.steps(), mode: .from("trian")) }
        #expect(error?.message == "--from trian: workflow train has no step trian "
            + "(steps: load, preprocess, build, train, evaluate)")
    }

    @Test func malformedGraphs() throws {
        var steps = Self.steps()
        steps.swapAt(3, 4)
        let late = #expect(throws: PlanError.self) { try World().plan(steps) }
        #expect(late?.message == "step evaluate reads trained from train, which comes later in workflow train; "
            + "move train before evaluate")

        var unknown = Self.steps()
        unknown[4].inputs.append(StepInput(artifact: "history", producer: "fit"))
        let missing = #expect(throws: PlanError.self) { try World().plan(unknown) }
        #expect(missing?.code == .unknownProducer)

        var duplicate = Self.steps()
        duplicate[2].name = "load"
        let twice = #expect(throws: PlanError.self) { try World().plan(duplicate) }
        #expect(twice?.message == "workflow train has two steps named load; rename one")
    }

    @Test func keysDependOnUpstreamKeys() throws {
        let a = try Planner(workflow: "train", steps: Self.steps(), previous: nil).keys()
        let b = try Planner(workflow: "train", steps: Self.steps(imagesHash: "sha256:99"), previous: nil).keys()
        #expect(a[2] == b[2]) // build reads nothing from load
        #expect(a[0] != b[0] && a[1] != b[1] && a[3] != b[3] && a[4] != b[4])
    }
}
