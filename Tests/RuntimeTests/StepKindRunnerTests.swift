import Foundation
import Imaging
import NeuralNet
import StepwiseErrors
import StepwiseTestSupport
import Synchronization
import Testing
@testable import Runtime
@testable import StepDSL

/// Every step kind run by the runner, in process, on small synthetic IDX files (no real MNIST, whatever
/// STEPWISE_DATA says): the shipped train and retrain workflows, their cache hits and what those put back.
@Suite("step kinds through the runner (synthetic IDX files)",
       .enabled(if: ReportingChartTests.hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox): plot cannot run"))
struct StepKindRunnerTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let train = ["load.limit=300", "load.test_limit=100", "preprocess.validation=50", "train.epochs=1"]
    static let compare = ["load.limit=300", "load.test_limit=100", "preprocess.validation=50", "train-cnn.epochs=1",
                          "train-vit.epochs=1", "train-vit.warmup=0", "compare.single_images=5"]
    static let retrain = ["load.limit=300", "load.test_limit=100", "augment-with-feedback.replay=100",
                          "augment-with-feedback.oversample=8", "finetune.epochs=1", "finetune.lr=0.002",
                          "save.max_accuracy_drop=100"]

    let data: SyntheticMNIST
    let project: TemporaryDirectory

    init() throws {
        data = try SyntheticMNIST(train: 300, test: 100, learnable: true)
        project = try TemporaryDirectory()
        try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("Workflows"),
                                         to: project.path("Workflows"))
    }

    /// Runs a shipped workflow; returns the summary and every line the run printed.
    func run(_ workflow: String, _ overrides: [String]) throws -> (summary: RunSummary, log: String) {
        let lines = Lines()
        let options = RunOptions(workflow: workflow, overrides: overrides, dataDirectory: data.directory)
        let summary = try WorkflowRunner(projectRoot: project.url, options: options)
            .run(style: .plain(interval: 60), output: { lines.append($0) })
        return (summary, lines.text)
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: project.path(path)) }

    /// The kinds of the steps a run computed.
    func kinds(_ summary: RunSummary, in workflow: String) throws -> Set<StepKind> {
        let loaded = try WorkflowLoader.load(directory: project.path("Workflows", workflow), displayPath: "Workflows/\(workflow)",
                                             kinds: StepKinds.schema, layers: LayerRegistry.language)
        return Set(summary.ran.compactMap { loaded.step(named: $0)?.kind })
    }

    @Test func everyKindRunsAndACacheHitPutsBackWhatItWrote() throws {
        // Train: load, preprocess, build, train, evaluate, save, plot.
        let first = try run("train", Self.train)
        #expect(first.summary.ran == ["load", "preprocess", "build", "train", "evaluate", "save", "plot"], "\(first.log)")
        for line in ["loaded 300 training and 100 test images", "split 300 images: 250 for training, 50 for validation",
                     "built ", "training on 250 images, 1 epochs", "model on the test set: accuracy",
                     "saved the model to ", "wrote "] {
            #expect(first.log.contains(line), "no '\(line)' in\n\(first.log)")
        }
        let model = try bytes("Outputs/models/cnn.safetensors")
        let report = try bytes("Outputs/train/report.md")
        let metrics = try JSONSerialization.jsonObject(with: try bytes("Outputs/train/metrics.json")) as? [String: Any]
        #expect((metrics?["test_accuracy"] as? Double).map { (0...1).contains($0) } == true)
        var ran = try kinds(first.summary, in: "train")

        // A cache hit computes nothing and puts back what its step wrote: save its model (keeping the file it
        // replaces, as a save would), plot its report.
        try Data("another model".utf8).write(to: project.path("Outputs/models/cnn.safetensors"))
        try Data("edited".utf8).write(to: project.path("Outputs/train/report.md"))
        let cached = try run("train", Self.train)
        #expect(cached.summary.ran.isEmpty, "\(cached.log)")
        #expect(cached.summary.cached.count == 7)
        #expect(cached.log.contains("put back the model this step saved"), "\(cached.log)")
        #expect(cached.log.contains("put back Outputs/train/report.md"), "\(cached.log)")
        #expect(try bytes("Outputs/models/cnn.safetensors") == model)
        #expect(try bytes("Outputs/train/report.md") == report)
        let kept = try FileManager.default.contentsOfDirectory(atPath: project.path("Outputs/models/history").path)
        #expect(kept.contains { (try? Data(contentsOf: project.path("Outputs/models/history", $0))) == Data("another model".utf8) },
                "\(kept)")

        // Retrain: one reported digit; load comes from train's cache entry, augment-with-feedback, finetune,
        // evaluate (with the baseline), save (gated) and plot (the retrain report) run.
        let png = try PNG.encode(gray: SyntheticMNIST.digit(3), width: 28, height: 28)
        _ = try FeedbackStore(folder: project.path("incorrect_predictions"))
            .add(original: png, originalName: "three.png", digit: SyntheticMNIST.digit(3), trueLabel: 3, predictedLabel: 5,
                 confidence: 0.5, modelSHA256: nil)
        let tuned = try run("retrain", Self.retrain)
        #expect(tuned.summary.ran == ["augment-with-feedback", "finetune", "evaluate", "save", "plot"], "\(tuned.log)")
        #expect(tuned.summary.cached == ["load"])
        for line in ["feedback: 1 images (", "each repeated 8x, mixed with 100 MNIST images",
                     "baseline on the feedback set: ", "promotion gate: "] {
            #expect(tuned.log.contains(line), "no '\(line)' in\n\(tuned.log)")
        }
        #expect(FileManager.default.fileExists(atPath: project.path("Outputs/retrain/report.md").path))
        ran.formUnion(try kinds(tuned.summary, in: "retrain"))

        // Nothing new in the folder and the model as retrain left it: nothing to do.
        let again = try run("retrain", Self.retrain)
        #expect(again.summary.ran.isEmpty)
        #expect(again.summary.message.contains("nothing new in incorrect_predictions/"), "\(again.summary.message)")

        // Compare: two models from the same load and preprocess (train's cache entries), one side-by-side report; a cache
        // hit puts it back.
        let savedModel = try bytes("Outputs/models/cnn.safetensors")
        let compared = try run("compare", Self.compare)
        #expect(compared.summary.ran == ["build-cnn", "train-cnn", "evaluate-cnn", "build-vit", "train-vit", "evaluate-vit", "compare"],
                "\(compared.log)")
        #expect(compared.summary.cached == ["load", "preprocess"], "train's load and preprocess are the same steps: \(compared.log)")
        for line in ["CNN: ", "ViT: ", " images/s in batches of 256, "] {
            #expect(compared.log.contains(line), "no '\(line)' in\n\(compared.log)")
        }
        let comparison = try #require(try JSONSerialization.jsonObject(with: try bytes("Outputs/compare/metrics.json")) as? [String: Any])
        #expect((comparison["models"] as? [[String: Any]])?.map { $0["name"] as? String } == ["CNN", "ViT"], "\(comparison)")
        // `stepwise runs compare` shows each model's accuracy, as metrics.json has it.
        let table = try RunTable(history: RunHistory(outputs: project.path("Outputs"), workflow: "compare"))
        let accuracies = try #require(table.rows.last?.modelAccuracies, "\(table.text)")
        let models = try #require(comparison["models"] as? [[String: Any]])
        #expect(accuracies["CNN"] == models[0]["test_accuracy"] as? Double && accuracies["ViT"] == models[1]["test_accuracy"] as? Double)
        #expect(table.text.contains(String(format: "CNN %.2f%% ViT %.2f%%", accuracies["CNN"]! * 100, accuracies["ViT"]! * 100)), "\(table.text)")
        // `stepwise runs compare --chart`: one line per model.
        let chart = try table.chart(workflow: "compare", in: project.path("run-charts"))
        let script = try String(contentsOf: try #require(chart.script), encoding: .utf8)
        #expect(script.contains("title 'CNN'") && script.contains("title 'ViT'"), "\(script)")
        let points = try String(contentsOf: try #require(chart.data), encoding: .utf8)
        #expect(points.hasPrefix("# run \"CNN (%)\" \"ViT (%)\""), "\(points)")
        let compareReport = try bytes("Outputs/compare/report.md")
        #expect(String(decoding: compareReport, as: UTF8.self).contains("# Comparison report: compare"))
        try FileManager.default.removeItem(at: project.path("Outputs/compare/report.md"))
        let comparedAgain = try run("compare", Self.compare)
        #expect(comparedAgain.summary.ran.isEmpty, "\(comparedAgain.log)")
        #expect(try bytes("Outputs/compare/report.md") == compareReport)
        #expect(try bytes("Outputs/models/cnn.safetensors") == savedModel, "compare must not replace the saved model")
        ran.formUnion(try kinds(compared.summary, in: "compare"))

        // Two models under one name, or a model given with the other's evaluation, are refused, saying so.
        let sameName = #expect(throws: (any Error).self) { try run("compare", Self.compare + ["compare.second=CNN"]) }
        #expect(sameName.map { "\($0)" }?.contains("both models of compare are named 'CNN'") == true, "\(String(describing: sameName))")
        #expect((sameName as? any ExitCoded)?.exitCode == ExitCode.usage, "refused before anything runs: \(String(describing: sameName))")
        let step = project.path("Workflows/compare/09-compare.step")
        try String(contentsOf: step, encoding: .utf8)
            .replacingOccurrences(of: "compare cnn_trained, cnn_history, cnn_evaluation,", with: "compare cnn_trained, cnn_history, vit_evaluation,")
            .write(to: step, atomically: true, encoding: .utf8)
        let miswired = #expect(throws: (any Error).self) { try run("compare", Self.compare) }
        #expect(miswired.map { "\($0)" }?.contains("vit_evaluation is not an evaluation of cnn_trained") == true,
                "\(String(describing: miswired))")

        // A new kind must be added to these runs.
        #expect(ran == Set(StepKinds.all.map { $0.schema.kind }))
    }

    @Test func loadNamesItsFilesByRoleNotByFolder() throws {
        let workflow = try WorkflowLoader.load(directory: project.path("Workflows", "train"), displayPath: "Workflows/train",
                                               kinds: StepKinds.schema, layers: LayerRegistry.language)
        let load = try #require(workflow.step(named: "load"))
        let runner = WorkflowRunner(projectRoot: project.url, options: RunOptions(workflow: "train", dataDirectory: data.directory))
        let context = runner.context(for: load, workflowName: "train", log: { _ in }, progress: { _ in })
        let files = runner.inputFiles(of: load, context: context)
        #expect(files.map(\.name) == ["mnist train images", "mnist train labels", "mnist test images", "mnist test labels"])
        #expect(files.allSatisfy { $0.url.path.hasPrefix(data.directory.path + "/") })
    }
}

/// Lines printed by a run, collected from any thread.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    var text: String {
        lines.withLock { $0.joined(separator: "\n") }
    }
}
