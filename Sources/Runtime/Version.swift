import Tensor

/// The runner's version. It is part of every cache key: a new version recomputes every step.
///
/// 0.2.0: cache keys from canonical step parts (header, layer lines, resolved parameters, seed only for steps that
/// use randomness, thread count for steps whose results depend on it) instead of the step's text; run records
/// carry the new fingerprint (0.1.0 records still decode, and the plan says the runner version changed).
public enum StepwiseVersion {
    public static let current = "0.2.0"

    /// The version cache keys and run records carry: the runner's, and the engine that computes the numbers
    /// (its numerics version, the kernel path this process uses and OpenBLAS's kernels), e.g.
    /// `0.2.0 (engine 1, avx512 kernels, OpenBLAS Cooperlake)`. Another engine recomputes every step, and the
    /// plan says "runner version changed from … to …".
    public static var withEngine: String { "\(current) (\(Engine.identity))" }
}
