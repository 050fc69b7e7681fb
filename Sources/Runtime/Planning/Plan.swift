/// The planner's answer: every step in workflow order with its key and action.
public struct Plan: Sendable, Equatable {
    public var workflow: String
    public var steps: [PlannedStep]

    public init(workflow: String, steps: [PlannedStep]) {
        self.workflow = workflow
        self.steps = steps
    }

    public subscript(step: String) -> PlannedStep? {
        steps.first { $0.name == step }
    }

    /// One line per step, `train: runs: epochs changed from 1 to 2`, as `stepwise plan` prints them.
    public var lines: [String] {
        steps.map { "\($0.name): \($0.action)" }
    }
}

/// One step of a plan. Every step has a key, skipped ones too: later steps' keys are built from it.
public struct PlannedStep: Sendable, Equatable {
    public var name: String
    public var key: CacheKey
    public var action: StepAction
    /// The fingerprint the key was made from, where it is not the step's own: a file the workflow itself
    /// rewrote, read as the earlier run read it (see `Planner`). The run records this one, so the next plan
    /// reaches the same key.
    public var fingerprint: StepFingerprint?

    public init(name: String, key: CacheKey, action: StepAction, fingerprint: StepFingerprint? = nil) {
        self.name = name
        self.key = key
        self.action = action
        self.fingerprint = fingerprint
    }
}
