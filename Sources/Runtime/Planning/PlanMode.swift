/// Which steps a run selects (`stepwise run` options).
public enum PlanMode: Sendable, Equatable {
    /// Every step; unchanged steps come from the cache.
    case all
    /// `--only S`: only S runs; its inputs must be in the cache.
    case only(String)
    /// `--from S`: S and every later step run; earlier steps come from the cache or run if missing.
    case from(String)
    /// `--force`: every step runs.
    case force
}
