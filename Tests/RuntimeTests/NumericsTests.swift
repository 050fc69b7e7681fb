import Datasets
import Foundation
import NeuralNet
import Testing
@testable import Runtime

/// Evaluate's choice of report examples, predict's refusal of unusable models, the Fashion-MNIST folder.
@Suite struct NumericsTests {
    /// 40 images: true label i % 4, wrong ones predicted (label + 1) % 4, confidence falling with the index.
    static func scores(wrong: [Int]) -> ScoredSet {
        let labels = (0..<40).map { UInt8($0 % 4) }
        let predictions = labels.indices.map { wrong.contains($0) ? (labels[$0] + 1) % 4 : labels[$0] }
        return ScoredSet(set: "test", model: "model", loss: 0.1, accuracy: 0.5, labels: labels, predictions: predictions,
                         confidences: (0..<40).map { 0.99 - Float($0) / 100 })
    }

    @Test func evaluateKeepsTheMostConfidentMistakesAndExamplesForEveryConfusedPair() {
        // Pair 0→1 has 8 mistakes (the most confident ones), pair 3→0 only later, less confident ones.
        let wrong = [0, 4, 8, 12, 16, 20, 24, 28, 31, 35, 39]
        let kept = EvaluateStep.reportExamples(Self.scores(wrong: wrong), mostConfident: 3)
        #expect(kept.mostConfident == [0, 4, 8])
        // 0→1 gets up to 6 in all (3 already kept), 3→0 its 3 (31, 35, 39).
        #expect(kept.pairs == [12, 16, 20, 31, 35, 39])
        #expect(Set(kept.pairs).isDisjoint(with: kept.mostConfident))
        let none = EvaluateStep.reportExamples(Self.scores(wrong: []), mostConfident: 64)
        #expect(none.mostConfident.isEmpty && none.pairs.isEmpty)
    }

    static func prepared(_ n: Int) -> [Predictor.Prepared] {
        (0..<n).map { i in
            Predictor.Prepared(file: "digit-\(i).png", digit: (0..<784).map { UInt8(($0 * 7 + i * 13) % 256) }, notes: "",
                               original: Data())
        }
    }

    static func digitModel(outputs: Int) throws -> Model {
        try Model(layers: [.flatten, .dense(inFeatures: 784, outFeatures: outputs)], inputShape: [1, 28, 28],
                  normalization: InputNormalization(), seed: 3)
    }

    @Test func predictRefusesOutputsThatAreNotTenFiniteProbabilities() throws {
        let good = try Self.digitModel(outputs: 10)
        #expect(try Predictor.classify(Self.prepared(2), model: good).count == 2)

        var overflowing = good
        overflowing.parameters[1].weight!.scalars = [Float](repeating: 3e38, count: 7840)
        let error = #expect(throws: IncompatibleModel.self) {
            try Predictor.classify(Self.prepared(2), model: overflowing, modelPath: "m.safetensors")
        }
        #expect(error?.description == "m.safetensors: its outputs for digit-0.png are not 10 finite probabilities "
            + "(NaN or infinity); the model is unusable: train it again")

        let five = try Self.digitModel(outputs: 5)
        #expect(throws: IncompatibleModel.self) { try Predictor.classify(Self.prepared(1), model: five) }
    }

    @Test func predictLoadRefusesModelsWithoutTenOutputs() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("five-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.digitModel(outputs: 5).safeTensors().serialized().write(to: url)
        let error = #expect(throws: IncompatibleModel.self) { try Predictor.loadModel(url) }
        #expect(error?.reason == "the model gives 5 outputs, not the 10 digit classes")
    }

    @Test func fashionMNISTReadsTheFolderDataNames() {
        let fromFlag = URL(fileURLWithPath: "/data/fashion")
        let mnistDefault = URL(fileURLWithPath: "/project/data/mnist")
        #expect(DatasetKind.fashionMNIST.directory(chosen: fromFlag, withoutFlag: mnistDefault) == fromFlag)
        #expect(DatasetKind.fashionMNIST.directory(chosen: mnistDefault, withoutFlag: mnistDefault) == DatasetKind.fashionDirectory)
        #expect(DatasetKind.mnist.directory(chosen: mnistDefault, withoutFlag: mnistDefault) == mnistDefault)
        #expect(DatasetKind.fashionMNIST.classNames.count == 10 && DatasetKind.fashionMNIST.classNames[0] == "T-shirt/top")
    }
}
