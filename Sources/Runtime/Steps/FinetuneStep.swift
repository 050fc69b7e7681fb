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
