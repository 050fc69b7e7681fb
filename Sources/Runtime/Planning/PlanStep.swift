/// One step as the planner sees it: its name, what it reads and what decides its outputs.
public struct PlanStep: Sendable, Equatable {
    public var name: String
    /// The artifacts it reads, in the order the step lists them, each with the step that makes it.
    public var inputs: [StepInput]
    public var fingerprint: StepFingerprint

    public init(name: String, inputs: [StepInput] = [], fingerprint: StepFingerprint) {
        self.name = name
        self.inputs = inputs
        self.fingerprint = fingerprint
    }
}

/// An artifact a step reads and the (earlier) step that makes it.
public struct StepInput: Hashable, Sendable {
    public var artifact: String
    public var producer: String

    public init(artifact: String, producer: String) {
        self.artifact = artifact
        self.producer = producer
    }
}
