import Datasets
import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `compare model, history, evaluation, model, history, evaluation, test -> charts`: two models trained on the same
/// data, side by side: test accuracy and loss, both training histories in one chart, both confusion matrices,
/// per-class F1, the test digits one gets right and the other wrong, parameters, FLOPs, training time and
/// inference speed measured here. Writes report.md and metrics.json into Outputs/<workflow>/, as plot does.
enum CompareStep {
    /// One model's test predictions and its inference speed, timed on `test`. The model, its history and its
    /// evaluation are inputs `offset`, `offset + 1` and `offset + 2`.
    static func side(_ step: Step, _ inputs: StepInputs, at offset: Int, name: String, test: DatasetValue,
                     context: StepContext) throws -> ComparisonReportInput.Side {
        let model = try inputs.model(offset)
        let history = try inputs.history(offset + 1)
        let evaluation = try inputs.evaluation(offset + 2)
        let (modelName, evaluationName) = (step.inputs[offset].name, step.inputs[offset + 2].name)
        guard let scores = evaluation.score(set: "test") else {
            throw StepFailure("\(evaluationName) has no test-set scores: evaluate \(modelName) on the test set first")
        }
        // The evaluation must be of this model: the report takes its size from one and its speed from the other.
        guard ModelSummary(model: model) == evaluation.model else {
            throw StepFailure("\(evaluationName) is not an evaluation of \(modelName) (their layers differ): "
                + "give compare each model with its own history and evaluation")
        }
        guard model.inputShape.reduce(1, *) == test.images.imageSize else {
            throw StepFailure("\(modelName) takes inputs of shape \(model.inputShape), the test set has "
                + "\(test.images.height)x\(test.images.width) images")
        }
        guard scores.labels == test.images.labels else {
            let counts = scores.labels.count == test.images.count ? "the same number of images, other labels"
                : "\(scores.labels.count) images against \(test.images.count)"
            throw StepFailure("\(evaluationName) was measured on other images than the test set compare is given "
                + "(\(counts)): evaluate both models on that test set")
        }
        let speed = inferenceSpeed(model, on: test.images, batch: step.int("batch"), alone: step.int("single_images"),
                                   threads: context.threads)
        let alone = speed.singleImageMilliseconds.map { String(format: ", %.3f ms for one image alone", $0) } ?? ""
        context.log(String(format: "%@: %.2f%% on the test set; %.0f images/s in batches of %d", name, scores.accuracy * 100,
                           speed.imagesPerSecond, speed.batch) + alone)
        let result = try ClassificationResult(labels: scores.labels.map(Int.init), predictions: scores.predictions.map(Int.init),
                                              confidences: scores.confidences)
        return .init(name: name, history: history.map(EpochRow.init), test: result, testLoss: scores.loss,
                     model: evaluation.model, trainingSeconds: history.reduce(0) { $0 + $1.seconds }, inference: speed)
    }

    /// Throughput over the whole set in batches of `batch` (the faster of two passes, so the first pass's page
    /// faults and cold caches do not count), and the median time of `alone` single images classified one at a
    /// time on one thread (nil when `alone` is 0).
    static func inferenceSpeed(_ model: Model, on images: ImageSet, batch: Int, alone: Int,
                               threads: Int) -> ComparisonReportInput.InferenceSpeed {
        let clock = ContinuousClock()
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        var best = Double.infinity
        for _ in 0..<2 {
            let elapsed = clock.measure { _ = model.logits(images, batchSize: batch, threads: threads) }
            best = min(best, seconds(elapsed))
        }
        var times: [Double] = []
        for i in 0..<min(alone, images.count) {
            let one = images.subset([i])
            times.append(seconds(clock.measure { _ = model.logits(one, batchSize: 1, threads: 1) }))
        }
        times.sort()
        return .init(imagesPerSecond: images.count > 0 && best > 0 ? Double(images.count) / best : 0, batch: batch,
                     threads: threads, singleImageMilliseconds: times.isEmpty ? nil : times[times.count / 2] * 1000)
    }
}

extension CompareStep: StepKindDefinition {
    static var writesIntoRunFolder: Bool { true }

    static let schema = KindSchema(
        kind: "compare",
        summary: "Puts two models trained on the same data side by side in one report (accuracy, curves, confusion matrices, per-class F1, disagreements, size and speed).",
        inputs: [Slot(.model, nil, "the first model"), Slot(.history, nil, "its per-epoch metrics"),
                 Slot(.evaluation, nil, "its test metrics"),
                 Slot(.model, nil, "the second model"), Slot(.history, nil, "its per-epoch metrics"),
                 Slot(.evaluation, nil, "its test metrics"),
                 Slot(.dataset, "test", "the test images both were evaluated on")],
        outputs: [Slot(.charts, nil, "the report, metrics.json and the charts")],
        parameters: [
            ParameterSpec("first", .string, default: .string(""), "How the report names the first model (default: its artifact's name)."),
            ParameterSpec("second", .string, default: .string(""), "How the report names the second model (default: its artifact's name)."),
            ParameterSpec("batch", .int(min: 1, max: Model.inferenceChunk), default: .int(Model.inferenceChunk),
                          "Images per forward pass when timing inference over the test set (the engine's largest is \(Model.inferenceChunk))."),
            ParameterSpec("single_images", .int(min: 0, max: 10_000), default: .int(200),
                          "Test images classified one at a time on one thread for the single-image time (0: not measured)."),
        ],
        usesSeed: false, usesThreads: true)

    /// How the report names the two models: `first` and `second`, else their artifacts' names.
    static func names(_ step: Step) -> (String, String) {
        func name(_ parameter: String, input: Int) -> String {
            let given = step.string(parameter).trimmingCharacters(in: .whitespaces)
            return given.isEmpty ? step.inputs[input].name : given
        }
        return (name("first", input: 0), name("second", input: 3))
    }

    /// The names key the run index's metrics (`test_accuracy[<name>]`), so they must differ: equal names are
    /// refused before anything runs.
    static func check(_ step: Step, in workflow: Workflow) -> [Diagnostic] {
        guard step.inputs.count == schema.inputs.count else { return [] }
        let names = names(step)
        if names.0 == names.1 {
            return [step.diagnostic("both models of \(step.name) are named '\(names.0)': give them different names with "
                + "`first` and `second`", at: nil)]
        }
        return []
    }

    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        let test = try inputs.dataset(6)
        let names = names(step)
        let first = try side(step, inputs, at: 0, name: names.0, test: test, context: context)
        let second = try side(step, inputs, at: 3, name: names.1, test: test, context: context)
        let manifest = context.reportManifest(writtenBy: step.name)
        let input = ComparisonReportInput(first: first, second: second, testImages: (0..<test.images.count).map { Array(test.images.image($0)) },
                                          manifest: manifest, classNames: DatasetKind.classNames(in: manifest))
        let folder = context.workflowOutputs
        let written = try ReportWriter.writeComparisonReport(input, to: folder)
        return [.files(try context.keepReport(written, in: folder))]
    }
}
