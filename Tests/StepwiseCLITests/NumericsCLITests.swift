import Foundation
import Imaging
import Testing

/// Issue 10's numeric faults through the binary: divergent training, unusable models and blank images given to
/// predict and feedback, Fashion-MNIST's folder and class names.
@Suite("numeric faults through the binary (synthetic data)")
struct NumericsCLITests {
    @Test func divergentTrainingIsAClearErrorNotACrash() throws {
        let project = try ScratchProject()
        let run = try project.stepwise(["run", "train", "--set", "train.lr=1e12"] + smallTrainRun)
        #expect(run.status == 1, "exit \(run.status): \(run.stderr)")
        #expect(run.stderr.contains("training diverged at epoch 1, batch "), "\(run.stderr)")
        #expect(run.stderr.contains("try a lower learning rate, e.g. --set train.lr=0.001"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: project.url("Outputs/models/cnn.safetensors").path))
    }

    /// A copy of `model` whose last layer's weights and biases are all `value` (3e38 overflows to inf, then NaN).
    static func poisoned(_ model: Data, value: Float) throws -> Data {
        let headerLength = Int(model.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = try #require(try JSONSerialization.jsonObject(with: model.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        let last = header.keys.filter { $0.hasPrefix("layers.") }.max { Int($0.split(separator: ".")[1])! < Int($1.split(separator: ".")[1])! }!
        let index = last.split(separator: ".")[1]
        var bytes = model
        for name in ["layers.\(index).weight", "layers.\(index).bias"] {
            let entry = try #require(header[name] as? [String: Any])
            let offsets = try #require(entry["data_offsets"] as? [Int])
            var v = value
            let pattern = withUnsafeBytes(of: &v) { Data($0) }
            for at in stride(from: 8 + headerLength + offsets[0], to: 8 + headerLength + offsets[1], by: 4) {
                bytes.replaceSubrange(at..<(at + 4), with: pattern)
            }
        }
        return bytes
    }

    @Test func predictAndFeedbackRefuseBlankImagesAndUnusableModels() throws {
        let project = try ScratchProject()
        let trained = try project.stepwise(["run", "train"] + smallTrainRun)
        #expect(trained.status == 0, "\(trained.stderr)")

        let blank = project.url("blank.png")
        try PNG.encode(gray: [UInt8](repeating: 250, count: 60 * 40), width: 60, height: 40).write(to: blank)
        let black = project.url("black28.png")
        try PNG.encode(gray: [UInt8](repeating: 0, count: 784), width: 28, height: 28).write(to: black)
        var pixels = [UInt8](repeating: 0, count: 784)
        for y in 6..<22 { pixels[y * 28 + 14] = 255; pixels[y * 28 + 13] = 180 }
        let one = project.url("one.png")
        try PNG.encode(gray: pixels, width: 28, height: 28).write(to: one)

        for image in [blank, black] {
            let predicted = try project.stepwise(["predict", image.path])
            #expect(predicted.status == 2, "\(predicted.stdout) \(predicted.stderr)")
            #expect(predicted.stderr.contains("no ink found"))
            #expect(predicted.stdout.isEmpty)
        }
        let mixed = try project.stepwise(["predict", one.path, blank.path])
        #expect(mixed.status == 2)
        #expect(mixed.stdout.contains("one.png: "))

        let feedback = try project.stepwise(["feedback", blank.path, "--label", "3"])
        #expect(feedback.status == 2, "\(feedback.stdout) \(feedback.stderr)")
        #expect(feedback.stderr.contains("no ink found"))
        let stored = (try? FileManager.default.contentsOfDirectory(atPath: project.url("incorrect_predictions").path)) ?? []
        #expect(stored.filter { !$0.hasPrefix(".") }.isEmpty, "\(stored)")

        // Outputs that overflow to NaN: refused with exit 4, never "0 (-nan%)".
        let model = try Data(contentsOf: project.url("Outputs/models/cnn.safetensors"))
        let broken = project.url("overflow.safetensors")
        try Self.poisoned(model, value: 3e38).write(to: broken)
        let nan = try project.stepwise(["predict", one.path, "--model", broken.path, "--json"])
        #expect(nan.status == 4, "\(nan.stdout) \(nan.stderr)")
        #expect(nan.stderr.contains("not 10 finite probabilities"))
        #expect(!nan.stdout.contains("nan"))
        let nanFeedback = try project.stepwise(["feedback", one.path, "--label", "1", "--model", broken.path])
        #expect(nanFeedback.status == 4, "\(nanFeedback.stderr)")
    }

    /// `--data` is the folder for Fashion-MNIST too, and the report names its classes.
    @Test func fashionMNISTReadsDataAndNamesItsClasses() throws {
        let project = try ScratchProject()
        let data = project.data.directory.path
        let run = try project.stepwise(["run", "train", "--data", data, "--set", "load.dataset=fashion-mnist"] + smallTrainRun,
                                       environment: ["STEPWISE_DATA": ""])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("(fashion-mnist) from \(URL(fileURLWithPath: data).standardizedFileURL.path)"), "\(run.stderr)")
        let report = try project.read("Outputs/train/report.md")
        #expect(report.contains("9 Ankle boot"))
        #expect(report.contains("| plot | — | — | this step: running"))
        #expect(!report.contains("no example kept"))
    }
}
