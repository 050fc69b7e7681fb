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

    public init(key: CacheKey, fingerprint: StepFingerprint, runnerVersion: String) {
        self.key = key
        self.fingerprint = fingerprint
        self.runnerVersion = runnerVersion
    }
}
