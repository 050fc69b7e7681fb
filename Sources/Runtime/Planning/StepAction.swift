/// What the runner does with one step.
public enum StepAction: Sendable, Hashable, CustomStringConvertible {
    /// Outputs come from the cache entry `key`, made by run `runID`.
    case cached(key: CacheKey, runID: String)
    /// The step runs; its outputs are stored under `key`.
    case run(key: CacheKey, reasons: [Reason])
    /// Not selected by `--only`/`--from` and not needed by a selected step.
    case skip

    /// `cached (run 2026-11-22T01:02:03Z)`, `runs: epochs changed from 1 to 2; step text changed`, `skipped`.
    public var description: String {
        switch self {
        case let .cached(_, runID): "cached (run \(runID))"
        case let .run(_, reasons): "runs: " + reasons.map(\.description).joined(separator: "; ")
        case .skip: "skipped (not selected)"
        }
    }

    /// The short name recorded in run.json: `cached`, `run` or `skip`.
    public var name: String {
        switch self {
        case .cached: "cached"
        case .run: "run"
        case .skip: "skip"
        }
    }
}
