import Foundation
import Imaging
import StepwiseTestSupport
import Testing

/// The Vision Transformer workflow end to end through the binary on synthetic digits (no MNIST needed): it
/// trains, saves Outputs/models/vit.safetensors, and `predict` and `feedback` work with that file.
@Suite("The ViT workflow, predict and feedback with its model (synthetic digits)")
struct ViTWorkflowTests {
    /// A few hundred learnable digits, a couple of epochs: a few seconds of training.
    static let tinyRun = ["--set", "load.limit=400", "--set", "load.test_limit=100", "--set", "preprocess.validation=50",
                          "--set", "preprocess.augment=false", "--set", "train.epochs=3", "--set", "train.warmup=0"]

    @Test func trainsAViTAndPredictsAndStoresFeedbackWithIt() throws {
        let data = try SyntheticMNIST(train: 400, test: 100, learnable: true)
        let project = try ScratchProject()
        let run = try project.stepwise(["run", "vit", "--data", data.directory.path] + Self.tinyRun)
        try #require(run.status == 0, "\(run.stderr)")
        let model = project.url("Outputs/models/vit.safetensors")
        #expect(FileManager.default.fileExists(atPath: model.path))
        #expect(!FileManager.default.fileExists(atPath: project.url("Outputs/models/cnn.safetensors").path),
                "the ViT workflow must not replace the CNN's model")
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: project.url("Outputs/vit/metrics.json")))
                                   as? [String: Any])
        #expect((metrics["test_accuracy"] as? Double).map { (0...1).contains($0) } == true, "\(metrics.keys.sorted())")

        // predict with the ViT file: one object per image, ten probabilities summing to one.
        let images = [3, 8].map { project.url("digit-\($0).png") }
        for (label, url) in zip([3, 8], images) {
            try PNG.encode(gray: SyntheticMNIST.digit(label), width: 28, height: 28).write(to: url)
        }
        let predicted = try project.stepwise(["predict", "--json", "--model", model.path] + images.map(\.path))
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let objects = try predicted.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(objects.count == 2, "\(predicted.stdout)")
        for object in objects {
            let probabilities = try #require(object["probabilities"] as? [Double])
            #expect(probabilities.count == 10)
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-4)
            let label = try #require(object["label"] as? Int)
            #expect((0...9).contains(label))
        }

        // feedback predicts with the ViT file when --predicted is left out, and records its hash.
        let stored = try project.stepwise(["feedback", images[0].path, "--label", "3", "--model", model.path])
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(stored.stdout.contains("stored "), "\(stored.stdout)")
        let folder = project.url("incorrect_predictions")
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") && $0 != "README.md" }
        try #require(entries.count == 1, "\(entries)")
        let record = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent(entries[0]).appendingPathComponent("record.json"))) as? [String: Any])
        #expect(record["true_label"] as? Int == 3)
        #expect(record["predicted_label"] as? Int == objects[0]["label"] as? Int)
        #expect((record["model_sha256"] as? String)?.count == 64, "\(record)")
    }
}
