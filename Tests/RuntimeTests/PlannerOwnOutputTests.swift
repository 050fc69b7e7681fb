import Runtime
import Testing

/// Retrain reads the model file and may replace it. The planner tells the workflow's own promotion (nothing to
/// do) from a model someone else put there (fine-tune it), as one decision for `plan` and `run`.
struct PlannerOwnOutputTests {
    static let model = "Outputs/models/cnn.safetensors"

    /// finetune(model file, feedback) -> save, which wrote `wrote` to the model file in the recorded run.
    static func steps(model: String, feedback: String = "sha256:f1") -> [PlanStep] {
        [
            PlanStep(name: "finetune", fingerprint: StepFingerprint(text: "finetune", files: [Self.model: model, "incorrect_predictions/a": feedback])),
            PlanStep(name: "save", inputs: [StepInput(artifact: "tuned", producer: "finetune")], fingerprint: StepFingerprint(text: "save")),
        ]
    }

    /// A run of `steps(model: read)` whose save promoted `wrote`, with its entries in the cache.
    static func world(read: String, wrote: String?) throws -> (previous: PreviousRun, cache: [CacheKey: String]) {
        let steps = steps(model: read)
        let keys = try Planner(workflow: "retrain", steps: steps, previous: nil).keys()
        var previous: [String: PreviousStep] = [:]
        var cache: [CacheKey: String] = [:]
        for (step, key) in zip(steps, keys) {
            previous[step.name] = PreviousStep(key: key, fingerprint: step.fingerprint, runnerVersion: StepwiseVersion.withEngine,
                                               wrote: step.name == "save" ? wrote.map { [Self.model: $0] } ?? [:] : [:])
            cache[key] = "run-1"
        }
        return (PreviousRun(steps: previous), cache)
    }

    static func plan(_ steps: [PlanStep], _ world: (previous: PreviousRun, cache: [CacheKey: String])) throws -> Plan {
        try Planner(workflow: "retrain", steps: steps, previous: world.previous).plan { world.cache[$0] }
    }

    @Test func theModelThisWorkflowPromotedIsNotNews() throws {
        let plan = try Self.plan(Self.steps(model: "sha256:tuned"), Self.world(read: "sha256:base", wrote: "sha256:tuned"))
        #expect(plan.lines == ["finetune: cached (run run-1)", "save: cached (run run-1)"])
    }

    @Test func theNoOpIsRecordedSoThatTheNextPlanIsOneToo() throws {
        var world = try Self.world(read: "sha256:base", wrote: "sha256:tuned")
        let steps = Self.steps(model: "sha256:tuned")
        let plan = try Self.plan(steps, world)
        // What the run records: each planned step's fingerprint (as read), its key, what its save left.
        for planned in plan.steps {
            let fingerprint = try #require(planned.fingerprint, "the replayed plan must say what its keys were made from")
            world.previous.steps[planned.name] = PreviousStep(key: planned.key, fingerprint: fingerprint,
                                                              runnerVersion: StepwiseVersion.current,
                                                              wrote: planned.name == "save" ? [Self.model: "sha256:tuned"] : [:])
        }
        let next = try Self.plan(steps, world)
        #expect(next.lines == ["finetune: cached (run run-1)", "save: cached (run run-1)"])
    }

    @Test func aModelSomeoneElseSavedIsFineTuned() throws {
        let plan = try Self.plan(Self.steps(model: "sha256:retrained"), Self.world(read: "sha256:base", wrote: "sha256:tuned"))
        #expect(plan.lines.first == "finetune: runs: file Outputs/models/cnn.safetensors changed")
    }

    @Test func aModelChangedWithoutAPromotionIsFineTuned() throws {
        let plan = try Self.plan(Self.steps(model: "sha256:tuned"), Self.world(read: "sha256:base", wrote: nil))
        #expect(plan.lines.first == "finetune: runs: file Outputs/models/cnn.safetensors changed")
    }

    @Test func newFeedbackOnThePromotedModelIsKeyedByTheModelAsItIs() throws {
        let world = try Self.world(read: "sha256:base", wrote: "sha256:tuned")
        let steps = Self.steps(model: "sha256:tuned", feedback: "sha256:f2")
        let plan = try Self.plan(steps, world)
        #expect(plan.lines.first == "finetune: runs: file Outputs/models/cnn.safetensors changed; file incorrect_predictions/a changed")
        // Its key is the honest one: the model the file holds now, not the one the earlier run started from.
        #expect(plan["finetune"]?.key == (try Planner(workflow: "retrain", steps: steps, previous: nil).keys()[0]))
    }
}
