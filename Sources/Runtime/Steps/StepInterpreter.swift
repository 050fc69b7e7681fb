import Foundation
import NeuralNet
import StepDSL
import Tensor

/// Runs one step: a switch over the step kinds, each handing its typed inputs to its interpreter.
enum StepInterpreter {
    static func run(_ step: Step, inputs: [ArtifactValue], context: StepContext) throws -> [ArtifactValue] {
        func dataset(_ i: Int) throws -> DatasetValue {
            guard i < inputs.count, case .dataset(let d) = inputs[i] else { throw mismatch(i, "a dataset") }
            return d
        }
        func optionalDataset(_ i: Int) throws -> DatasetValue? {
            i < inputs.count ? try dataset(i) : nil
        }
        func model(_ i: Int) throws -> Model {
            guard i < inputs.count, case .model(let m) = inputs[i] else { throw mismatch(i, "a model") }
            return m
        }
        func mismatch(_ i: Int, _ what: String) -> StepFailure {
            StepFailure("input \(i + 1) of step \(step.name) should be \(what)")
        }

        switch step.kind {
        case .load:
            return try LoadStep.run(step, context: context)
        case .preprocess:
            return try PreprocessStep.run(step, input: dataset(0), context: context)
        case .build:
            return try BuildStep.run(step, context: context)
        case .train:
            return try TrainStep.run(step, model: model(0), train: dataset(1), validation: optionalDataset(2), context: context)
        case .evaluate:
            var feedback: FeedbackValue?
            var baseline: Model?
            for value in inputs.dropFirst(2) {
                switch value {
                case .feedback(let f): feedback = f
                case .dataset(let d):
                    feedback = FeedbackValue(images: d.images, sources: d.images.labels.indices.map { "image \($0 + 1)" },
                                             reportedPredictions: [], skipped: [])
                case .model(let m): baseline = m
                default: break
                }
            }
            return try EvaluateStep.run(step, model: model(0), test: dataset(1), feedback: feedback, baseline: baseline, context: context)
        case .plot:
            return try PlotStep.run(step, inputs: inputs, context: context)
        case .save:
            guard inputs.count >= 2, case .evaluation(let e) = inputs[1] else { throw mismatch(1, "an evaluation") }
            return try SaveStep.run(step, model: model(0), evaluation: e, context: context)
        case .augmentWithFeedback:
            return try AugmentWithFeedbackStep.run(step, mnist: dataset(0), context: context)
        case .finetune:
            return try FinetuneStep.run(step, mixed: dataset(0), validation: optionalDataset(1), context: context)
        }
    }
}
