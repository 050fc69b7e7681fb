/// `Outputs/<workflow>/runs/<timestamp>/run.json`: what one run did, step by step.
public struct RunRecord: Codable, Sendable, Equatable {
    /// The start time, `2026-11-22T01:02:03Z`; a suffix `-2`, `-3`… if several runs start in the same second.
    public var id: String
    public var workflow: String
    /// The runner and engine version (`StepwiseVersion.withEngine`: numerics version, kernel path, OpenBLAS
    /// kernels); records of earlier runners hold the runner version alone.
    public var runnerVersion: String
    /// The CPU the run ran on ("model name" of /proc/cpuinfo). Absent in records written before it was kept.
    public var cpu: String?
    /// How the steps were selected: `all`, `force`, `only evaluate`, `from train`.
    public var mode: String
    public var started: String
    public var ended: String?
    public var status: RunStatus
    /// Why the run did not succeed (the error as the CLI prints it), if it failed, was refused or interrupted.
    /// Absent in run.json files written before it existed.
    public var error: String?
    public var seed: UInt64
    /// Empty for a run that ended before it had a plan (data missing, lock held, a step-file error).
    public var steps: [StepRecord]

    public init(id: String, workflow: String, runnerVersion: String, mode: String, started: String,
                ended: String? = nil, status: RunStatus = .running, error: String? = nil, seed: UInt64,
                steps: [StepRecord], cpu: String? = nil) {
        self.cpu = cpu
        self.id = id
        self.workflow = workflow
        self.runnerVersion = runnerVersion
        self.mode = mode
        self.started = started
        self.ended = ended
        self.status = status
        self.error = error
        self.seed = seed
        self.steps = steps
    }

    /// The keys of the cache entries this run read or wrote: what `cache gc` keeps for it.
    public var usedKeys: Set<CacheKey> {
        Set(steps.filter { $0.outcome == .computed || $0.outcome == .cached }.map(\.key))
    }
}

/// How a run ended. `running` stays in run.json only while the run is live, or if it was killed (SIGKILL, a
/// crash): the next run of the workflow, holding its lock, marks such a record `interrupted`.
public enum RunStatus: String, Codable, Sendable {
    case running, succeeded, failed
    /// Another run held the workflow's lock (exit 3); nothing ran.
    case refused
    /// Stopped by SIGINT or SIGTERM (exit 130 or 143), or found still `running` after its process died.
    case interrupted
}

/// One step of a run record.
public struct StepRecord: Codable, Sendable, Equatable {
    public var name: String
    public var key: CacheKey
    /// `run`, `cached` or `skip`, as planned.
    public var action: String
    /// The plan's line for the step: `runs: epochs changed from 1 to 2`, `cached (run …)`.
    public var reason: String
    /// What happened: planned, computed, cached, skipped, failed or interrupted.
    public var outcome: StepOutcome
    /// Wall time of the step (loading from the cache included), once it has finished.
    public var seconds: Double?
    public var cached: Bool
    public var seed: UInt64
    /// The fingerprint parts, so the next run can explain what changed.
    public var fingerprint: StepFingerprint
    /// The files outside the cache the step left in the workspace, computed or restored from the cache: path
    /// (relative to the project) to `sha256:<hex>`. Absent in records of runs before it was kept.
    public var wrote: [String: String]?

    public init(name: String, key: CacheKey, action: String, reason: String, outcome: StepOutcome,
                seconds: Double? = nil, cached: Bool, seed: UInt64, fingerprint: StepFingerprint) {
        self.name = name
        self.key = key
        self.action = action
        self.reason = reason
        self.outcome = outcome
        self.seconds = seconds
        self.cached = cached
        self.seed = seed
        self.fingerprint = fingerprint
    }
}

public enum StepOutcome: String, Codable, Sendable {
    case planned, computed, cached, skipped, failed
    /// The step was running when the run was interrupted; nothing of it was stored.
    case interrupted
}
