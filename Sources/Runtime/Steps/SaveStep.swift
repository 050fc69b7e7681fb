import Crypto
import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `save model, evaluation -> saved`: writes the model file atomically, keeping the one it replaces under
/// `history/`. With `gate true` (the retrain workflow) the new model replaces the current one only if it keeps
/// MNIST test accuracy within `max_accuracy_drop` points of the baseline and does better on the feedback set.
enum SaveStep {
    /// The promotion gate's verdict, worded for the report, with the feedback counts it was decided on.
    struct Decision: Equatable {
        var promote: Bool
        var reason: String
        var feedback: FeedbackTally?
    }

    /// Pure: decides from the scores alone. Only feedback images the baseline got wrong can be fixed; those it
    /// already got right must stay right (each one broken counts against a fixed one). Promoted when the MNIST
    /// test accuracy stays within the margin and either more images were fixed than broken, or none was broken
    /// and the MNIST test accuracy rose. So feedback the model already gets right never blocks a better model.
    static func gate(_ evaluation: EvaluationValue, maxAccuracyDrop points: Double) -> Decision {
        guard let new = evaluation.score(set: "test"), let old = evaluation.score(set: "test", model: "baseline") else {
            return Decision(promote: false, reason: "no baseline score to compare with (evaluate needs the baseline model as its fourth input)")
        }
        let drop = (old.accuracy - new.accuracy) * 100
        let testLine = String(format: "MNIST test accuracy %.2f%% → %.2f%%", old.accuracy * 100, new.accuracy * 100)
        if drop > points + 1e-9 {
            return Decision(promote: false, reason: String(format: "%@ falls by %.2f points, more than the %.2f allowed", testLine, drop, points))
        }
        guard let fNew = evaluation.score(set: "feedback"), let fOld = evaluation.score(set: "feedback", model: "baseline") else {
            return Decision(promote: false, reason: "no feedback set was evaluated, so there is no improvement to promote")
        }
        let tally = FeedbackTally(labels: fNew.labels, before: fOld.predictions, after: fNew.predictions)
        let margin = "within the \(String(format: "%.2f", points))-point margin"
        if tally.net > 0 {
            return Decision(promote: true, reason: "\(tally.summary); \(testLine), \(margin)", feedback: tally)
        }
        if tally.broken == 0, new.accuracy > old.accuracy {
            return Decision(promote: true, reason: "\(tally.summary); \(testLine), a rise", feedback: tally)
        }
        let why = tally.broken > 0 ? "it breaks \(tally.broken) and fixes \(tally.fixed), no net gain"
            : "no feedback image fixed and no MNIST gain"
        return Decision(promote: false, reason: "\(tally.summary): \(why) (\(testLine))", feedback: tally)
    }

    static func run(_ step: Step, model: Model, evaluation: EvaluationValue, context: StepContext) throws -> [ArtifactValue] {
        let url = context.resolve(step.string("path"))
        var metadata: [String: String] = [
            "stepwise.created": Timestamp.string(Date()),
            "stepwise.workflow": context.workflowOutputs.lastPathComponent,
        ]
        if let test = evaluation.score(set: "test") {
            metadata["stepwise.test_accuracy"] = String(format: "%.6f", test.accuracy)
            metadata["stepwise.test_loss"] = String(format: "%.6f", test.loss)
        }
        let encoded = model.safeTensors(metadata: metadata).serialized()
        let hash = SHA256.hash(data: encoded).map { String(format: "%02x", $0) }.joined()

        if step.bool("gate") {
            let decision = gate(evaluation, maxAccuracyDrop: step.double("max_accuracy_drop"))
            context.log("promotion gate: \(decision.promote ? "promote" : "keep the current model"): \(decision.reason)")
            guard decision.promote else {
                return [.saved(SavedValue(path: step.string("path"), promoted: false, reason: decision.reason, modelSHA256: hash, previousKeptAt: nil))]
            }
        }
        // Compare and swap: with `gate true` the candidate was judged against the model finetune read; only
        // that model may be replaced. (The run holds the model's lock; this catches writers outside Stepwise.)
        let path = context.workspacePath(url)
        if let judged = context.readFiles[path] {
            let current = FileManager.default.fileExists(atPath: url.path) ? WorkspaceFiles.hash(try Data(contentsOf: url)) : "missing"
            guard current == judged else {
                throw StepFailure("\(path) changed while this run was using it (it held \(judged.prefix(19)), now \(current.prefix(19))); "
                    + "the new model was judged against the one that was there, so it is not saved: run again")
            }
        }
        let kept = step.bool("keep_history") ? try keepInHistory(url) : nil
        try AtomicFile.write(encoded, to: url)
        context.workspace.record(path, encoded)
        context.log("saved the model to \(url.path) (sha256 \(hash.prefix(12)))" + (kept.map { "; the previous one is kept at \($0)" } ?? ""))
        return [.saved(SavedValue(path: step.string("path"), promoted: true,
                                  reason: step.bool("gate") ? gate(evaluation, maxAccuracyDrop: step.double("max_accuracy_drop")).reason : "saved",
                                  modelSHA256: hash, previousKeptAt: kept))]
    }

    /// The step came from the cache: put its model back if the file holds something else, keeping what it
    /// replaces under history/ as a save would.
    static func restore(_ step: Step, path: String, data: Data, context: StepContext) throws -> Bool {
        let url = context.resolve(path)
        if step.bool("keep_history") { _ = try keepInHistory(url) }
        try AtomicFile.write(data, to: url)
        context.log("put back the model this step saved (sha256 \(WorkspaceFiles.hash(data).dropFirst(7).prefix(12))) in \(url.path)")
        return false
    }

    /// Copies the model at `url`, if there is one, to `history/<name>-<UTC time>.safetensors` beside it; returns
    /// the copy's path.
    static func keepInHistory(_ url: URL) throws -> String? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: url.path) else { return nil }
        let history = url.deletingLastPathComponent().appendingPathComponent("history")
        try fm.createDirectory(at: history, withIntermediateDirectories: true)
        let stamp = Timestamp.folderName(Date())
        let name = url.deletingPathExtension().lastPathComponent
        var destination = history.appendingPathComponent("\(name)-\(stamp).safetensors")
        var attempt = 1
        while fm.fileExists(atPath: destination.path) {
            attempt += 1
            destination = history.appendingPathComponent("\(name)-\(stamp)-\(attempt).safetensors")
        }
        try AtomicFile.write(try Data(contentsOf: url), to: destination)
        return destination.path
    }
}

extension SaveStep: StepKindDefinition {
    static let schema = KindSchema(
        kind: "save",
        summary: "Writes the model file atomically, keeping the previous one under `history/`.",
        inputs: [Slot(.model, nil, "the model written"), Slot(.evaluation, nil, "its test metrics, stored with it")],
        outputs: [Slot(.saved, nil, "the written model file")],
        parameters: [
            ParameterSpec("path", .string, default: .string("Outputs/models/cnn.safetensors"),
                          "Where the model file goes."),
            ParameterSpec("keep_history", .bool, default: .bool(true),
                          "Move the file being replaced to `history/` next to it."),
            ParameterSpec("gate", .bool, default: .bool(false),
                          "Refuse to replace the file if the new model is worse (see max_accuracy_drop)."),
            ParameterSpec("max_accuracy_drop", .decimal(.closed(0, 100)), default: .decimal(0.3),
                          "With gate: largest test-accuracy drop allowed, in percentage points."),
        ],
        usesSeed: false, usesThreads: false)

    /// The model file, which train writes and retrain replaces.
    static func sharedFiles(of step: Step, context: StepContext) -> (reads: [URL], replaces: [URL]) {
        ([], [context.resolve(step.string("path"))])
    }

    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        let evaluation = try inputs.evaluation(1)
        return try run(step, model: inputs.model(0), evaluation: evaluation, context: context)
    }
}
