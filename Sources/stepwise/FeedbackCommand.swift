import ArgumentParser
import Crypto
import Foundation
import NeuralNet
import Runtime
import Tensor

struct FeedbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback",
        abstract: "Store an image the model got wrong, with its true label, in incorrect_predictions/.",
        discussion: """
            Keeps the original image (PNG or JPEG, as it was given), its 28x28 MNIST-style form and a record (true and predicted label, \
            confidence, model hash, time, original name, content hash). The same image twice is stored once. \
            `stepwise run retrain` folds the stored images into fine-tuning. A blank image (no ink found) is not \
            stored (exit code 2).
            """
    )

    @Argument(help: ArgumentHelp("The PNG or JPEG image.", valueName: "image"))
    var image: String

    @Option(help: ArgumentHelp("The digit the image really shows (0-9).", valueName: "n"))
    var label: Int

    @Option(help: ArgumentHelp("What the model predicted (default: predict it now with the current model).", valueName: "n"))
    var predicted: Int?

    @Option(help: ArgumentHelp("Model used to predict (default: Outputs/models/cnn.safetensors).", valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp("Feedback folder (default: incorrect_predictions).", valueName: "dir"))
    var folder: String?

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        guard (0...9).contains(label) else { throw ValidationError("--label must be a digit from 0 to 9, got \(label)") }
        if let predicted, !(0...9).contains(predicted) {
            throw ValidationError("--predicted must be a digit from 0 to 9, got \(predicted)")
        }
    }

    func run() throws {
        let prepared = try Predictor.prepare(URL(fileURLWithPath: image))
        var predictedLabel = predicted
        var confidence: Double?
        var modelHash: String?
        let modelURL = model.map { URL(fileURLWithPath: $0) } ?? project.defaultModel
        if FileManager.default.fileExists(atPath: modelURL.path) {
            let data = try RegularFile.read(modelURL)
            modelHash = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            if predictedLabel == nil {
                let loaded = try Predictor.loadModel(modelURL)
                let p = try Predictor.classify([prepared], model: loaded, modelPath: modelURL.path)[0]
                predictedLabel = p.label
                confidence = p.confidence
            }
        }
        guard let predictedLabel else {
            throw CLIError(status: 4, message: "no model at \(modelURL.path) to predict with: pass --predicted N, or train one with `stepwise run train`")
        }
        let store = FeedbackStore(folder: folder.map { URL(fileURLWithPath: $0) } ?? project.root.appendingPathComponent("incorrect_predictions"))
        let name = URL(fileURLWithPath: image).lastPathComponent
        switch try store.add(original: prepared.original, originalName: name, digit: prepared.digit, trueLabel: label,
                             predictedLabel: predictedLabel, confidence: confidence, modelSHA256: modelHash) {
        case .stored(let url):
            print("stored \(name) as \(label) (the model said \(predictedLabel)) in \(url.path)")
            if predictedLabel == label {
                print("note: the model already predicts \(label) for this image")
            }
        case .alreadyStored(let url):
            print("already stored: \(url.path)")
        case .relabelled(let url, let old):
            print("already stored with label \(old); relabelled as \(label): \(url.path)")
        }
    }
}
