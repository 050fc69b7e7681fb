import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `evaluate model, test_set[, feedback][, baseline] -> evaluation`: loss, accuracy and every prediction, on the
/// test set and (when given) the feedback set, for the model and (when given) a baseline model to compare with.
enum EvaluateStep {
    static func score(_ model: Model, on images: ImageSet, set: String, modelRole: String, batch: Int, threads: Int) -> ScoredSet {
        let e = evaluate(model, on: images, batchSize: batch, threads: threads)
        let classes = e.probabilities.shape.count == 2 ? e.probabilities.shape[1] : 10
        let confidences = (0..<images.count).map { i in e.probabilities.scalars[i * classes + Int(e.predictions[i])] }
        return ScoredSet(set: set, model: modelRole, loss: Double(e.loss), accuracy: Double(e.accuracy),
                         labels: images.labels, predictions: e.predictions, confidences: confidences)
    }

    static func run(_ step: Step, model: Model, test: DatasetValue, feedback feedbackValue: FeedbackValue?, baseline: Model?,
                    context: StepContext) throws -> [ArtifactValue] {
        let feedback = feedbackValue?.images
        let batch = step.int("batch")
        let threads = context.threads
        var scores: [ScoredSet] = []
        var examples: [String: ImageSet] = [:]
        var indices: [String: [Int]] = [:]
        for (role, m) in [("model", model)] + (baseline.map { [("baseline", $0)] } ?? []) {
            let s = score(m, on: test.images, set: "test", modelRole: role, batch: batch, threads: threads)
            context.log(String(format: "%@ on the test set: accuracy %.2f%%, loss %.4f", role, s.accuracy * 100, s.loss))
            scores.append(s)
            if let feedback, feedback.count > 0 {
                let f = score(m, on: feedback, set: "feedback", modelRole: role, batch: batch, threads: threads)
                context.log(String(format: "%@ on the feedback set: %d of %d right", role,
                                   zip(f.labels, f.predictions).filter { $0 == $1 }.count, f.labels.count))
                scores.append(f)
            }
        }
        // Keep the test images the report shows: the misclassified ones, most confident mistakes first.
        let main = scores[0]
        let wrong = (0..<main.labels.count).filter { main.labels[$0] != main.predictions[$0] }
            .sorted { main.confidences[$0] > main.confidences[$1] }
            .prefix(max(step.int("misclassified"), 0))
        indices["test"] = Array(wrong)
        examples["test"] = test.images.subset(wrong)
        if let feedback, feedback.count > 0 {
            indices["feedback"] = Array(0..<feedback.count)
            examples["feedback"] = feedback
        }
        return [.evaluation(EvaluationValue(scores: scores, examples: examples, exampleIndices: indices,
                                            model: try ModelSummary(layers: model.layers, input: model.inputShape), feedbackSources: feedbackValue?.sources ?? [],
                                            skippedFeedback: feedbackValue?.skipped ?? []))]
    }
}
