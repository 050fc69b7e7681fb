import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `evaluate model, test_set[, feedback][, baseline] -> evaluation`: loss, accuracy and every prediction, on the
/// test set and (when given) the feedback set, for the model and (when given) a baseline model to compare with.
enum EvaluateStep {
    static func score(_ model: Model, on images: ImageSet, set: String, modelRole: String, batch: Int, threads: Int,
                      context: StepContext) throws -> ScoredSet {
        let e = evaluate(model, on: images, batchSize: batch, threads: threads)
        if e.nonFiniteCount > 0 {
            let what = "the \(modelRole) gives NaN or infinite outputs for \(e.nonFiniteCount) of \(images.count) \(set) images"
            // A broken candidate must not reach save; a broken baseline only loses the comparison.
            guard modelRole == "baseline" else {
                throw StepFailure("\(what): its weights have diverged or are corrupt; train it again with a lower learning rate")
            }
            context.log("warning: \(what); those count as wrong")
        }
        let classes = e.probabilities.shape.count == 2 ? e.probabilities.shape[1] : 10
        let confidences = (0..<images.count).map { i in e.probabilities.scalars[i * classes + Int(e.predictions[i])] }
        return ScoredSet(set: set, model: modelRole, loss: Double(e.loss), accuracy: Double(e.accuracy),
                         labels: images.labels, predictions: e.predictions, confidences: confidences)
    }

    /// The misclassified test images the training report shows, as test-set indices, most confident first: the
    /// `mostConfident` mistakes with the highest confidence (the report's grid), and further examples so that
    /// each of the report's most confused pairs has up to `ReportWriter.examplesPerPair` of its own (its most
    /// confident ones). An index is in at most one list.
    static func reportExamples(_ scores: ScoredSet, mostConfident: Int) -> (mostConfident: [Int], pairs: [Int]) {
        let wrong = scores.labels.indices.filter { scores.labels[$0] != scores.predictions[$0] }
            .sorted { (scores.confidences[$0], $1) > (scores.confidences[$1], $0) }
        let top = Array(wrong.prefix(max(mostConfident, 0)))
        guard let result = try? ClassificationResult(labels: scores.labels.map(Int.init), predictions: scores.predictions.map(Int.init),
                                                     confidences: scores.confidences) else { return (top, []) }
        let chosen = Set(top)
        var pairs: [Int] = []
        for pair in ConfusionMatrix(result).mostConfusedPairs(limit: ReportWriter.pairRows) {
            let ofPair = wrong.filter { Int(scores.labels[$0]) == pair.trueLabel && Int(scores.predictions[$0]) == pair.predicted }
            pairs += ofPair.prefix(ReportWriter.examplesPerPair).filter { !chosen.contains($0) }
        }
        return (top, pairs)
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
            let s = try score(m, on: test.images, set: "test", modelRole: role, batch: batch, threads: threads, context: context)
            context.log(String(format: "%@ on the test set: accuracy %.2f%%, loss %.4f", role, s.accuracy * 100, s.loss))
            scores.append(s)
            if let feedback, feedback.count > 0 {
                let f = try score(m, on: feedback, set: "feedback", modelRole: role, batch: batch, threads: threads, context: context)
                context.log(String(format: "%@ on the feedback set: %d of %d right", role,
                                   zip(f.labels, f.predictions).filter { $0 == $1 }.count, f.labels.count))
                scores.append(f)
            }
        }
        // Keep the test images the report shows: the most confident mistakes, and examples of the confused pairs.
        let kept = reportExamples(scores[0], mostConfident: step.int("misclassified"))
        indices["test"] = kept.mostConfident
        examples["test"] = test.images.subset(kept.mostConfident)
        if !kept.pairs.isEmpty {
            indices["test-pairs"] = kept.pairs
            examples["test-pairs"] = test.images.subset(kept.pairs)
        }
        if let feedback, feedback.count > 0 {
            indices["feedback"] = Array(0..<feedback.count)
            examples["feedback"] = feedback
        }
        return [.evaluation(EvaluationValue(scores: scores, examples: examples, exampleIndices: indices,
                                            model: ModelSummary(model: model), feedbackSources: feedbackValue?.sources ?? [],
                                            skippedFeedback: feedbackValue?.skipped ?? []))]
    }
}

extension EvaluateStep: StepKindDefinition {
    static let schema = KindSchema(
        kind: "evaluate",
        summary: "Measures a model on the test set (and on feedback images, and against a baseline model).",
        inputs: [Slot(.model, nil, "the model measured"),
                 Slot(.dataset, "test", "the test images"),
                 Slot(.dataset, "feedback", optional: true, "feedback images, measured separately"),
                 Slot(.model, "baseline", optional: true, "a model to compare with on the same images")],
        outputs: [Slot(.evaluation, nil, "accuracy, loss, confusion matrix, misclassified examples")],
        parameters: [
            ParameterSpec("batch", .int(min: 1, max: 60_000), default: .int(1000), "Images per forward pass."),
            ParameterSpec("misclassified", .int(min: 0, max: 1000), default: .int(64),
                          "The most confident mistakes kept for the report's grid (examples of the most confused pairs are kept besides)."),
        ],
        usesSeed: false, usesThreads: true)

    /// The optional inputs after the model and the test set: feedback (from augment-with-feedback, or any dataset)
    /// and a baseline model.
    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        var feedback: FeedbackValue?
        var baseline: Model?
        for value in inputs.values.dropFirst(2) {
            switch value {
            case .feedback(let f): feedback = f
            case .dataset(let d):
                feedback = FeedbackValue(images: d.images, sources: d.images.labels.indices.map { "image \($0 + 1)" },
                                         reportedPredictions: [], skipped: [])
            case .model(let m): baseline = m
            default: break
            }
        }
        return try run(step, model: inputs.model(0), test: inputs.dataset(1), feedback: feedback, baseline: baseline, context: context)
    }
}
