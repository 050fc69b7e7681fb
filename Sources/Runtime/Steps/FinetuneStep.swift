import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `finetune mixed[, val_data] -> baseline, tuned, history`: continues training the current model (the file named
/// by `model`) on the mixed set. The untouched model is passed on as `baseline` so evaluate and the save gate can
/// compare before and after.
enum FinetuneStep {
    static func modelFile(_ step: Step, context: StepContext) -> URL {
        context.resolve(step.string("model"))
    }

    static func run(_ step: Step, mixed: DatasetValue, validation: DatasetValue?, context: StepContext) throws -> [ArtifactValue] {
        let url = modelFile(step, context: context)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StepFailure("no model to fine-tune at \(url.path): run `stepwise run train` first")
        }
        // The model fine-tuned is exactly the one the step's key names: the bytes read are checked against it.
        let data = try RegularFile.read(url)
        if let keyed = context.expectedContent[url.path], WorkspaceFiles.hash(data) != keyed {
            throw StepFailure("\(url.path) changed after this run was planned; run again to fine-tune the model it holds now")
        }
        let baseline: Model
        do {
            baseline = try Model.load(safeTensors: SafeTensors(data: data))
        } catch {
            throw StepFailure("\(url.path): not a readable model file: \(error)")
        }
        var tuned = baseline
        // Fine-tune in the model's own input normalisation.
        var train = mixed
        train.normalization = baseline.normalization
        var val = validation
        val?.normalization = baseline.normalization
        let history = try TrainStep.fit(&tuned, step: step, train: train, validation: val, context: context)
        return [.model(baseline), .model(tuned), .history(history)]
    }
}

extension FinetuneStep: StepKindDefinition {
    static let schema = KindSchema(
        kind: "finetune",
        summary: "Loads the current model file and trains it further on the mixed images.",
        inputs: [Slot(.dataset, "mixed", "the images trained on"),
                 Slot(.dataset, "validation", optional: true, "images measured after each epoch")],
        outputs: [Slot(.model, "baseline", "the model as loaded, before fine-tuning"),
                  Slot(.model, "tuned", "the fine-tuned model"),
                  Slot(.history, nil, "per-epoch metrics")],
        parameters: [
            ParameterSpec("model", .string, default: .string("Outputs/models/cnn.safetensors"),
                          "The model file to start from."),
        ] + TrainStep.trainingParameters(epochs: 3, lr: 0.0002),
        reads: .file(parameter: "model"),
        usesSeed: true, usesThreads: true)

    /// The model file, named by its place in the project.
    static func inputFiles(of step: Step, context: StepContext) -> [(name: String, url: URL)] {
        let url = modelFile(step, context: context)
        return [(context.workspacePath(url), url)]
    }

    /// The model file, which a save step of the same run may replace once it is judged.
    static func sharedFiles(of step: Step, context: StepContext) -> (reads: [URL], replaces: [URL]) {
        ([modelFile(step, context: context)], [])
    }

    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        try run(step, mixed: inputs.dataset(0), validation: inputs.optionalDataset(1), context: context)
    }
}
