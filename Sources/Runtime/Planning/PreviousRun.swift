/// What earlier runs recorded, for explaining why a step runs again.
public struct PreviousRun: Sendable, Equatable {
    /// By step name.
    public var steps: [String: PreviousStep]

    public init(steps: [String: PreviousStep]) {
        self.steps = steps
    }
}

/// One step as an earlier run recorded it: its key, fingerprint parts and the runner version that ran it.
public struct PreviousStep: Sendable, Equatable {
    public var key: CacheKey
    public var fingerprint: StepFingerprint
    public var runnerVersion: String
    /// The files outside the cache the step left in the workspace (path to content hash): the model a save step
    /// wrote, the report a plot step wrote.
    public var wrote: [String: String]

    public init(key: CacheKey, fingerprint: StepFingerprint, runnerVersion: String, wrote: [String: String] = [:]) {
        self.key = key
        self.fingerprint = fingerprint
        self.runnerVersion = runnerVersion
        self.wrote = wrote
    }
}
