import Foundation
import Tensor
@testable import Runtime

/// Deterministic, realistic-looking report inputs: a 10,000-image test set at about 99% accuracy whose
/// errors cluster on the pairs real MNIST models confuse, and digits drawn with the bitmap font so the
/// composed images can be checked by eye.
enum ReportingFixtures {
    static let confusions: [(Int, Int, Int)] = [(4, 9, 9), (7, 2, 8), (3, 5, 7), (9, 4, 6), (5, 3, 5), (8, 3, 4),
                                                (2, 7, 4), (6, 0, 3), (1, 7, 2), (0, 6, 2), (8, 9, 1)]

    /// A 28x28 white-on-black image of `digit` drawn with the report font at 3x.
    static func digitPixels(_ digit: Int, shift: Int = 0) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: 28 * 28)
        BitmapFont.draw(String(digit), into: &pixels, width: 28, height: 28, x: 7 + shift % 3, y: 4, scale: 3, ink: 255)
        return pixels
    }

    static func classification(seed: UInt64 = 7) throws -> ClassificationResult {
        var rng = SeededGenerator(seed: seed)
        var labels: [Int] = [], predictions: [Int] = [], confidences: [Float] = []
        for (trueLabel, predicted, count) in confusions {
            for _ in 0..<count {
                labels.append(trueLabel)
                predictions.append(predicted)
                confidences.append(0.35 + 0.64 * rng.nextUnitFloat())
            }
        }
        while labels.count < 10_000 {
            let label = labels.count % 10
            labels.append(label)
            predictions.append(label)
            // Most right answers are near-certain; a tail reaches down to 0.5.
            let u = rng.nextUnitFloat()
            confidences.append(u < 0.9 ? 0.99 + 0.01 * rng.nextUnitFloat() : 0.5 + 0.49 * rng.nextUnitFloat())
        }
        return try ClassificationResult(labels: labels, predictions: predictions, confidences: confidences)
    }

    static func misclassified(_ result: ClassificationResult) -> [DigitExample] {
        (0..<result.count).filter { result.labels[$0] != result.predictions[$0] }.map {
            DigitExample(pixels: digitPixels(result.labels[$0], shift: $0), trueLabel: result.labels[$0],
                         predicted: result.predictions[$0], confidence: result.confidences[$0])
        }
    }

    static let history: [EpochRow] = (1...12).map { epoch in
        let e = Double(epoch)
        return EpochRow(epoch: epoch, trainLoss: 0.25 / e + 0.01, trainAccuracy: 1 - 0.06 / e,
                        validationLoss: 0.12 / e + 0.03 + 0.002 * e, validationAccuracy: 0.993 - 0.03 / e,
                        seconds: 21.5 + e / 10)
    }

    static let model = ModelSummary(rows: [
        .init(name: "conv2d 1→32 3x3", outputShape: [32, 26, 26], parameters: 320),
        .init(name: "relu", outputShape: [32, 26, 26], parameters: 0),
        .init(name: "conv2d 32→64 3x3", outputShape: [64, 24, 24], parameters: 18_496),
        .init(name: "relu", outputShape: [64, 24, 24], parameters: 0),
        .init(name: "maxpool2d 2", outputShape: [64, 12, 12], parameters: 0),
        .init(name: "dropout 0.25", outputShape: [64, 12, 12], parameters: 0),
        .init(name: "flatten", outputShape: [9216], parameters: 0),
        .init(name: "dense 9216→128", outputShape: [128], parameters: 1_179_776),
        .init(name: "relu", outputShape: [128], parameters: 0),
        .init(name: "dropout 0.5", outputShape: [128], parameters: 0),
        .init(name: "dense 128→10", outputShape: [10], parameters: 1_290),
    ], totalParameters: 1_199_882, flopsPerImage: 24_060_000)

    static func manifest(workflow: String = "train") -> RunManifest {
        RunManifest(workflow: workflow, date: Date(timeIntervalSince1970: 1_741_943_702), gitCommit: "0123456789abcdef0123",
                    seed: 42, steps: [
                        .init(name: "load", parameters: [("limit", "60000")], seconds: 0.41, cached: true),
                        .init(name: "preprocess", parameters: [("normalize", "mnist"), ("split", "0.9")], seconds: 0.12, cached: true),
                        .init(name: "build", parameters: [], seconds: 0.01, cached: false),
                        .init(name: "train", parameters: [("epochs", "12"), ("batch", "64"), ("lr", "0.001")],
                              seconds: 262.4, cached: false),
                        .init(name: "evaluate", parameters: [], seconds: 3.2, cached: false),
                    ])
    }

    static func trainingInput() throws -> TrainingReportInput {
        let test = try classification()
        return TrainingReportInput(history: history, test: test, testLoss: 0.02876, misclassified: misclassified(test),
                                   model: model, trainingSeconds: 262.4, manifest: manifest())
    }

    static func retrainInput() -> RetrainReportInput {
        let feedback = (0..<10).map { i in
            RetrainReportInput.FeedbackImage(
                name: "fb-\(i).png", pixels: digitPixels(i, shift: i), trueLabel: i,
                before: .init(label: (i + 3) % 10, confidence: 0.41 + Float(i) * 0.05),
                after: .init(label: i == 7 ? 1 : i, confidence: 0.6 + Float(i) * 0.04))
        }
        return RetrainReportInput(
            testBefore: .init(accuracy: 0.9912, loss: 0.02876), testAfter: .init(accuracy: 0.9908, loss: 0.0301),
            feedback: feedback, gate: .init(promoted: true, reason: "test accuracy fell 0.04 pp (allowed 0.20 pp)"),
            unreadable: [.init(name: "broken.png", reason: "damaged PNG: IDAT: CRC error")],
            manifest: manifest(workflow: "retrain"))
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("stepwise-reporting-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
