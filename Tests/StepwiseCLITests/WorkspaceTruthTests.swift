import Foundation
import Imaging
import StepwiseTestSupport
import Testing

/// After every run the workspace holds what the plan chose, whatever came from the cache; the retrain loop
/// decides from the model it finds; train and retrain never write the model at the same time. Through the
/// binary, on synthetic digits (no MNIST needed).
@Suite("The workspace holds what the plan chose (synthetic digits)")
struct WorkspaceTruthTests {
    static let tinyTrain = ["--set", "load.limit=600", "--set", "load.test_limit=200", "--set", "preprocess.validation=100",
                            "--set", "train.epochs=1"]
    static let tinyRetrain = ["--set", "load.limit=600", "--set", "load.test_limit=200", "--set", "augment-with-feedback.replay=100",
                              "--set", "augment-with-feedback.oversample=32", "--set", "finetune.epochs=3",
                              "--set", "finetune.lr=0.002", "--set", "save.max_accuracy_drop=100"]

    let data: SyntheticMNIST
    let project: ScratchProject

    init() throws {
        data = try SyntheticMNIST(train: 600, test: 200, learnable: true)
        project = try ScratchProject()
    }

    /// `run` and `plan` read the synthetic digits; other commands take no data folder.
    @discardableResult
    func stepwise(_ arguments: [String]) throws -> CLIResult {
        let readsData = ["run", "plan"].contains(arguments.first ?? "")
        return try project.stepwise(arguments + (readsData ? ["--data", data.directory.path] : []))
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: project.url(path)) }

    func charts(_ workflow: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: project.url("Outputs/\(workflow)/charts").path))
    }

    @Test func revertingAParameterPutsBackTheFirstRunsModelAndReport() throws {
        let first = try stepwise(["run", "train"] + Self.tinyTrain)
        #expect(first.status == 0, "\(first.stderr)")
        let files = ["Outputs/train/report.md", "Outputs/train/metrics.json", "Outputs/models/cnn.safetensors"]
        let original = try files.map(bytes)
        let originalCharts = try charts("train")

        let other = try stepwise(["run", "train"] + Self.tinyTrain + ["--set", "train.lr=0.001"])
        #expect(other.status == 0, "\(other.stderr)")
        #expect(try bytes(files[2]) != original[2], "a different learning rate should give another model")

        // Back to the first settings: nothing to compute, and the plan says what it will put back.
        let plan = try stepwise(["plan", "train"] + Self.tinyTrain)
        #expect(plan.stdout.contains("save: cached (run "), "\(plan.stdout)")
        #expect(plan.stdout.contains("puts back Outputs/models/cnn.safetensors"), "\(plan.stdout)")
        #expect(plan.stdout.contains("puts back Outputs/train/"), "\(plan.stdout)")
        let back = try stepwise(["run", "train"] + Self.tinyTrain)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stderr.contains("nothing to do"), "\(back.stderr)")
        #expect(!back.stderr.contains("train: running"))
        for (file, before) in zip(files, original) {
            #expect(try bytes(file) == before, "\(file) is not the first run's")
        }
        #expect(try charts("train") == originalCharts, "charts of the other run linger")
        // The model it replaced is kept, as a save keeps it.
        let history = try FileManager.default.contentsOfDirectory(atPath: project.url("Outputs/models/history").path)
        #expect(history.count == 2, "\(history)")

        // Now the workspace matches: the next run puts nothing back, and says nothing about it.
        let again = try stepwise(["run", "train"] + Self.tinyTrain)
        #expect(again.status == 0)
        #expect(!again.stderr.contains("put back"), "\(again.stderr)")
        #expect(!(try stepwise(["plan", "train"] + Self.tinyTrain)).stdout.contains("puts back"))

        // A report edited by hand is put back too.
        try Data("edited".utf8).write(to: project.url(files[0]))
        #expect(try stepwise(["run", "train"] + Self.tinyTrain).stderr.contains("put back Outputs/train/report.md"))
        #expect(try bytes(files[0]) == original[0])
    }

    /// Class `label` of the learnable digits as a PNG, as someone would upload it.
    static func png(_ label: Int, to url: URL) throws {
        try PNG.encode(gray: SyntheticMNIST.digit(label), width: 28, height: 28).write(to: url)
    }

    /// Reports `image` as wrong: labelled one more than what the model says.
    func reportWrong(_ image: URL) throws {
        let predicted = try stepwise(["predict", image.path, "--json"])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let line = try #require(predicted.stdout.split(separator: "\n").first)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let label = try #require(json["label"] as? Int)
        let stored = try stepwise(["feedback", image.path, "--label", String((label + 1) % 10)])
        #expect(stored.status == 0, "\(stored.stderr)")
    }

    @Test func retrainFineTunesEachNewModelOnceAndIsANoOpOnItsOwn() throws {
        #expect(try stepwise(["run", "train"] + Self.tinyTrain).status == 0)
        let image = project.url("upload.png")
        try Self.png(3, to: image)
        try reportWrong(image)

        let first = try stepwise(["run", "retrain"] + Self.tinyRetrain)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("finetune: running"))
        #expect(first.stderr.contains("promotion gate: promote"), "\(first.stderr)")
        let promoted = try bytes("Outputs/models/cnn.safetensors")

        // Its own promotion is not news: nothing to do, in plan and run alike.
        let plan = try stepwise(["plan", "retrain"] + Self.tinyRetrain)
        #expect(plan.stdout.split(separator: "\n").allSatisfy { $0.contains(": cached (run ") }, "\(plan.stdout)")
        let second = try stepwise(["run", "retrain"] + Self.tinyRetrain)
        #expect(second.status == 0)
        #expect(second.stderr.contains("nothing new"), "\(second.stderr)")
        #expect(try bytes("Outputs/models/cnn.safetensors") == promoted)
        // And stays one: the no-op's own record leads to the same plan.
        let again = try stepwise(["run", "retrain"] + Self.tinyRetrain)
        #expect(again.stderr.contains("nothing new"), "\(again.stderr)")

        // A new training run replaces the model: retrain must fine-tune that one, and plan says why.
        #expect(try stepwise(["run", "train"] + Self.tinyTrain + ["--set", "train.lr=0.001"]).status == 0)
        let replanned = try stepwise(["plan", "retrain"] + Self.tinyRetrain)
        #expect(replanned.stdout.contains("finetune: runs: file Outputs/models/cnn.safetensors changed"), "\(replanned.stdout)")
        let third = try stepwise(["run", "retrain"] + Self.tinyRetrain)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stderr.contains("finetune: running"), "\(third.stderr)")
        #expect(!third.stderr.contains("nothing new"))
    }

    @Test func feedbackDeletedAfterARetrainIsNoLongerTrainedOn() throws {
        #expect(try stepwise(["run", "train"] + Self.tinyTrain).status == 0)
        for label in [2, 7] {
            let image = project.url("upload-\(label).png")
            try Self.png(label, to: image)
            try reportWrong(image)
        }
        let first = try stepwise(["run", "retrain"] + Self.tinyRetrain)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("feedback: 2 images"), "\(first.stderr)")
        let folder = project.url("incorrect_predictions")
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
        try FileManager.default.removeItem(at: folder.appendingPathComponent(entries[0]))

        let plan = try stepwise(["plan", "retrain"] + Self.tinyRetrain)
        #expect(plan.stdout.contains("augment-with-feedback: runs: file incorrect_predictions/\(entries[0])/"), "\(plan.stdout)")
        let second = try stepwise(["run", "retrain"] + Self.tinyRetrain)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("feedback: 1 images"), "\(second.stderr)")
        // The run's copy of the folder is gone once it ends.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: project.url("Outputs/retrain").path).filter { $0.hasPrefix(".snapshot") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func trainWaitsForARetrainThatHoldsTheModel() throws {
        #expect(try stepwise(["run", "train"] + Self.tinyTrain).status == 0)
        let image = project.url("upload.png")
        try Self.png(5, to: image)
        try reportWrong(image)
        // A long fine-tune holds the model's lock.
        let long = Self.tinyRetrain.map { $0 == "finetune.epochs=3" ? "finetune.epochs=1000" : $0 == "augment-with-feedback.replay=100" ? "augment-with-feedback.replay=600" : $0 }
        let retrain = CLI.process(["run", "retrain", "--data", data.directory.path] + long, in: project.root)
        retrain.standardError = FileHandle.nullDevice
        retrain.standardOutput = FileHandle.nullDevice
        try retrain.run()
        defer { if retrain.isRunning { kill(retrain.processIdentifier, SIGKILL); retrain.waitUntilExit() } }
        let lockFile = project.url("Outputs/models/.cnn.safetensors.lock")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !((try? String(contentsOf: lockFile, encoding: .utf8))?.contains("pid \(retrain.processIdentifier)") ?? false) {
            usleep(20_000)
        }
        let train = try stepwise(["run", "train", "--force"] + Self.tinyTrain)
        #expect(train.status == 3, "\(train.stderr)")
        #expect(train.stderr.contains("Outputs/models/cnn.safetensors"), "\(train.stderr)")
        #expect(train.stderr.contains("stepwise run retrain, pid \(retrain.processIdentifier)"), "\(train.stderr)")
        // Nothing of train ran, so no model of its own reached the file.
        #expect(!train.stderr.contains("load: running"))
    }
}
