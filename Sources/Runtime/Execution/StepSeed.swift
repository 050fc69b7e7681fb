import Tensor

/// The seed a run uses unless `--seed` says otherwise.
public let defaultRunSeed: UInt64 = 42

/// The seed of one step in a run: mixed from the run's seed and the step's name, so adding or reordering
/// steps leaves every other step's randomness unchanged.
public func stepSeed(runSeed: UInt64, step: String) -> UInt64 {
    var generator = SeededGenerator.derived(from: runSeed, name: step)
    return generator.next()
}
