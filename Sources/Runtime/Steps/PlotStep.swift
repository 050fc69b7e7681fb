import Datasets
import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `plot history, evaluation[, saved] -> charts`: renders the charts with gnuplot and writes the Markdown report
/// and metrics.json into Outputs/<workflow>/ (and a copy under runs/<run>/). The top-level files are its workspace
/// files (see `WorkspaceFiles`), so a cached run puts them back.
enum PlotStep {
    static func run(_ step: Step, inputs: [ArtifactValue], context: StepContext) throws -> [ArtifactValue] {
        var history: [EpochMetrics] = []
        var evaluation: EvaluationValue?
        var saved: SavedValue?
        for input in inputs {
            switch input {
            case .history(let h): history = h
            case .evaluation(let e): evaluation = e
            case .saved(let s): saved = s
            default: break
            }
        }
        guard let evaluation, let test = evaluation.score(set: "test") else {
            throw StepFailure("plot needs an evaluation with test-set scores")
        }
        let manifest = context.reportManifest(writtenBy: step.name)
        let folder = context.workflowOutputs
        let written: [URL]
        if let before = evaluation.score(set: "test", model: "baseline") {
            written = try ReportWriter.writeRetrainReport(retrainInput(evaluation, test: test, before: before, saved: saved, manifest: manifest), to: folder)
        } else {
            written = try ReportWriter.writeTrainingReport(trainingInput(evaluation, test: test, history: history, manifest: manifest), to: folder)
        }
        return [.files(try context.keepReport(written, in: folder))]
    }

    static func trainingInput(_ e: EvaluationValue, test: ScoredSet, history: [EpochMetrics], manifest: RunManifest) throws -> TrainingReportInput {
        let rows = history.map(EpochRow.init)
        let result = try ClassificationResult(labels: test.labels.map(Int.init), predictions: test.predictions.map(Int.init),
                                              confidences: test.confidences)
        // Most confident mistakes first, as evaluate kept them; "test-pairs" only adds examples for confused pairs.
        func kept(_ name: String) -> [DigitExample] {
            guard let images = e.examples[name], let indices = e.exampleIndices[name] else { return [] }
            return indices.enumerated().map { k, index in
                DigitExample(pixels: Array(images.image(k)), trueLabel: Int(test.labels[index]),
                             predicted: Int(test.predictions[index]), confidence: test.confidences[index])
            }
        }
        return TrainingReportInput(history: rows, test: result, testLoss: test.loss, misclassified: kept("test"),
                                   pairExamples: kept("test-pairs"), model: e.model,
                                   trainingSeconds: history.reduce(0) { $0 + $1.seconds }, manifest: manifest,
                                   classNames: DatasetKind.classNames(in: manifest))
    }

    static func retrainInput(_ e: EvaluationValue, test: ScoredSet, before: ScoredSet, saved: SavedValue?, manifest: RunManifest) -> RetrainReportInput {
        var feedback: [RetrainReportInput.FeedbackImage] = []
        if let after = e.score(set: "feedback"), let old = e.score(set: "feedback", model: "baseline"), let images = e.examples["feedback"] {
            for i in 0..<after.labels.count {
                feedback.append(.init(name: i < e.feedbackSources.count ? e.feedbackSources[i] : "image \(i + 1)",
                                      pixels: Array(images.image(i)), trueLabel: Int(after.labels[i]),
                                      before: .init(label: Int(old.predictions[i]), confidence: old.confidences[i]),
                                      after: .init(label: Int(after.predictions[i]), confidence: after.confidences[i])))
            }
        }
        let gate = saved.map { RetrainReportInput.GateDecision(promoted: $0.promoted, reason: $0.reason) }
            ?? RetrainReportInput.GateDecision(promoted: false, reason: "no save step ran before plot, so nothing was promoted")
        return RetrainReportInput(testBefore: .init(accuracy: before.accuracy, loss: before.loss),
                                  testAfter: .init(accuracy: test.accuracy, loss: test.loss), feedback: feedback, gate: gate,
                                  unreadable: e.skippedFeedback.map { .init(name: $0.entry, reason: $0.reason) }, manifest: manifest)
    }
}

extension PlotStep: StepKindDefinition {
    static var writesIntoRunFolder: Bool { true }

    static let schema = KindSchema(
        kind: "plot",
        summary: "Draws the charts with gnuplot and writes the Markdown report and metrics.json.",
        inputs: [Slot(.history, nil, "per-epoch metrics"), Slot(.evaluation, nil, "test metrics"),
                 Slot(.saved, nil, optional: true, "what save did (the promotion gate's decision, for retrain)")],
        outputs: [Slot(.charts, nil, "PNG charts with their gnuplot scripts and data")],
        parameters: [],
        usesSeed: false, usesThreads: false)

    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        try run(step, inputs: inputs.values, context: context)
    }
}
