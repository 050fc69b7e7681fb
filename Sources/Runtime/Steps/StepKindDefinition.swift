import Foundation
import NeuralNet
import StepDSL
import Tensor

/// Everything about one step kind, in the kind's own file: its declaration for the language (slots, parameters,
/// what it reads), the checks the language cannot make, the files outside the cache it reads and writes, how it
/// runs, and what a cache hit puts back. The runner asks the kind and has no switch over kinds; `StepKinds.all`
/// lists them.
protocol StepKindDefinition: SendableMetatype {
    /// The kind's name, slots, parameters and documentation, as the checker and docs/DSL.md read them.
    static var schema: KindSchema { get }

    /// Problems found before anything runs that the schema cannot express (a layer that does not fit, a split
    /// larger than the data). Default: none.
    static func check(_ step: Step, in workflow: Workflow) -> [Diagnostic]

    /// Fails with the error the user should see (exit 4 for missing data) when something the step needs before
    /// it can run is absent. Default: nothing to check.
    static func checkPresent(_ step: Step, context: StepContext) throws

    /// The files the step reads besides its inputs, each under a name that does not depend on where the project
    /// or the data folder is: their contents are part of the step's cache key. A step whose folder was copied
    /// (`snapshotFolder`) reads the copy, `context.snapshot`, under the folder's names. Default: none.
    static func inputFiles(of step: Step, context: StepContext) -> [(name: String, url: URL)]

    /// The error to report when an input file is not a regular file or cannot be read. Default: the error.
    static func unreadableInput(_ error: FileError) -> any Error

    /// The folder, as the step's parameter names it, that the run copies before planning so the step and its key
    /// see the same files whatever is added meanwhile (the feedback folder). Default: none.
    static func snapshotFolder(of step: Step) -> String?

    /// Files outside Outputs/<workflow>/ that another workflow may also write: the model a step fine-tunes
    /// (`reads`) and the model a step replaces (`replaces`). The run locks each for its whole length, and a step
    /// replacing a file another step of the run read checks that it still holds what that step read.
    /// Default: none.
    static func sharedFiles(of step: Step, context: StepContext) -> (reads: [URL], replaces: [URL])

    /// Whether what the step writes outside the cache goes into the run's own output folder (the report, metrics
    /// and charts under Outputs/<workflow>/, or a sweep point's folder): such a step is keyed by that folder when it
    /// is not the workflow's, so a cache hit never puts its files back into another run's folder. Default: false.
    static var writesIntoRunFolder: Bool { get }

    /// Runs the step on its input artifacts, in header order; returns its outputs in header order. Files it
    /// writes outside the cache are recorded in `context.workspace`.
    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue]

    /// A cache hit whose workspace file at `path` is missing or differs: puts `data` back. Returns whether the
    /// runner's "put back" line should name the file (false when the kind logs it itself). Default: writes the
    /// file atomically.
    static func restore(_ step: Step, path: String, data: Data, context: StepContext) throws -> Bool
}

extension StepKindDefinition {
    static func check(_ step: Step, in workflow: Workflow) -> [Diagnostic] { [] }

    static func checkPresent(_ step: Step, context: StepContext) throws {}

    static func inputFiles(of step: Step, context: StepContext) -> [(name: String, url: URL)] { [] }

    static func unreadableInput(_ error: FileError) -> any Error { error }

    static func snapshotFolder(of step: Step) -> String? { nil }

    static func sharedFiles(of step: Step, context: StepContext) -> (reads: [URL], replaces: [URL]) { ([], []) }

    static var writesIntoRunFolder: Bool { false }

    static func restore(_ step: Step, path: String, data: Data, context: StepContext) throws -> Bool {
        try AtomicFile.write(data, to: context.resolve(path))
        return true
    }
}

/// A step's input artifacts in header order, with typed access that names the step when a slot holds the wrong
/// type.
struct StepInputs {
    let step: Step
    let values: [ArtifactValue]

    var count: Int { values.count }

    func dataset(_ i: Int) throws -> DatasetValue {
        guard i < values.count, case .dataset(let d) = values[i] else { throw mismatch(i, "a dataset") }
        return d
    }

    func optionalDataset(_ i: Int) throws -> DatasetValue? {
        i < values.count ? try dataset(i) : nil
    }

    func model(_ i: Int) throws -> Model {
        guard i < values.count, case .model(let m) = values[i] else { throw mismatch(i, "a model") }
        return m
    }

    func evaluation(_ i: Int) throws -> EvaluationValue {
        guard i < values.count, case .evaluation(let e) = values[i] else { throw mismatch(i, "an evaluation") }
        return e
    }

    func history(_ i: Int) throws -> [EpochMetrics] {
        guard i < values.count, case .history(let h) = values[i] else { throw mismatch(i, "a training history") }
        return h
    }

    private func mismatch(_ i: Int, _ what: String) -> StepFailure {
        StepFailure("input \(i + 1) of step \(step.name) should be \(what)")
    }
}
