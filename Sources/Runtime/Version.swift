/// The runner's version. It is part of every cache key: a new version recomputes every step.
public enum StepwiseVersion {
    public static let current = "0.1.0"
}
