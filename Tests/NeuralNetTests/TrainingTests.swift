import Foundation
import Synchronization
import Testing
import Tensor
@testable import NeuralNet

struct TrainingTests {
    /// 16 random 8x8 images with arbitrary labels: only memorisation can fit them.
    static func noiseSet(count: Int = 16, seed: UInt64 = 5) -> ImageSet {
        var rng = SeededGenerator(seed: seed)
        let pixels = (0..<(count * 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let labels = (0..<count).map { UInt8($0 % 10) }
        return ImageSet(pixels: pixels, labels: labels, height: 8, width: 8)
    }

    static let smallCNN: [LayerSpec] = [
        .conv2d(inChannels: 1, outChannels: 4, kernelSize: 3, stride: 1, padding: 1), .relu,
        .maxpool2d(kernelSize: 2, stride: 2), .dropout(p: 0.25), .flatten,
        .dense(inFeatures: 64, outFeatures: 32), .relu, .dense(inFeatures: 32, outFeatures: 10),
    ]

    @Test func tinyModelOverfitsASmallBatch() throws {
        let set = Self.noiseSet()
        var model = try Model(layers: [.flatten, .dense(inFeatures: 64, outFeatures: 64), .relu,
                                       .dense(inFeatures: 64, outFeatures: 10)],
                              inputShape: [1, 8, 8], normalization: InputNormalization(), seed: 1)
        let config = TrainingConfig(epochs: 150, batchSize: 16,
                                    optimizer: .adam(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0),
                                    seed: 3, threads: 2)
        var events: [String] = []
        let history = try Trainer.fit(&model, train: set, validation: set, config: config) { event in
            switch event {
            case .fitStart: events.append("fitStart")
            case .fitEnd: events.append("fitEnd")
            default: break
            }
        }
        #expect(events == ["fitStart", "fitEnd"])
        #expect(history.count == 150)
        #expect(history.last!.validationAccuracy == 1)
        #expect(evaluate(model, on: set, batchSize: 5, threads: 1).accuracy == 1)
        #expect(history.last!.trainLoss < history.first!.trainLoss / 10)
    }

    static func trainOnce(threads: Int, schedule: LRSchedule = .constant, optimizer: OptimizerSpec = .adamDefault,
                          augmentation: AugmentationSpec? = nil) throws -> Model
    {
        let set = Self.noiseSet(count: 40)
        var model = try Model(layers: Self.smallCNN, inputShape: [1, 8, 8], normalization: InputNormalization(),
                              seed: 11)
        let config = TrainingConfig(epochs: 3, batchSize: 7, optimizer: optimizer, schedule: schedule,
                                    augmentation: augmentation, labelSmoothing: 0.1, seed: 42, threads: threads)
        _ = try Trainer.fit(&model, train: set, validation: nil, config: config) { _ in }
        return model
    }

    @Test(arguments: [1, 2, 3])
    func sameSeedAndThreadsGiveIdenticalBytes(threads: Int) throws {
        let aug = AugmentationSpec(maxShift: 1, maxRotationDegrees: 10, maxZoom: 0.1)
        let a = try Self.trainOnce(threads: threads, augmentation: aug)
        let b = try Self.trainOnce(threads: threads, augmentation: aug)
        #expect(a.safeTensors().serialized() == b.safeTensors().serialized())
        let untrained = try Model(layers: Self.smallCNN, inputShape: [1, 8, 8], normalization: InputNormalization(),
                                  seed: 11)
        #expect(a.parameters != untrained.parameters)
    }

    @Test func everyOptimizerAndScheduleTrains() throws {
        let optimizers: [OptimizerSpec] = [
            .sgd(lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4),
            .adamw(lr: 0.003, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01),
            .adadelta(lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0),
        ]
        let schedules: [LRSchedule] = [.step(everyEpochs: 1, gamma: 0.5), .cosine(minLR: 0),
                                       .oneCycle(maxLR: 0.01, pctStart: 0.3)]
        for (optimizer, schedule) in zip(optimizers, schedules) {
            let model = try Self.trainOnce(threads: 2, schedule: schedule, optimizer: optimizer)
            #expect(model.parameters.allSatisfy { ($0.weight?.scalars ?? []).allSatisfy { $0.isFinite } })
        }
    }

    @Test func stopsBetweenBatchesWhenAsked() throws {
        var model = try Model(layers: Self.smallCNN, inputShape: [1, 8, 8], normalization: InputNormalization(), seed: 11)
        var config = TrainingConfig(epochs: 1_000, batchSize: 4, seed: 1, threads: 1)
        let calls = Mutex(0)
        config.shouldStop = { calls.withLock { $0 += 1; return $0 > 7 } }
        var batches = 0
        let error = #expect(throws: TrainingStopped.self) {
            try Trainer.fit(&model, train: Self.noiseSet(), validation: nil, config: config) { event in
                if case .batchEnd = event { batches += 1 }
            }
        }
        #expect(batches == 7)
        #expect(error == TrainingStopped(epoch: 2, batch: 4))
    }

    @Test func rejectsMismatchedDataAndSettings() throws {
        var model = try Model(layers: Self.smallCNN, inputShape: [1, 8, 8], normalization: InputNormalization(),
                              seed: 1)
        let wrongSize = ImageSet(pixels: [UInt8](repeating: 0, count: 2 * 81), labels: [0, 1], height: 9, width: 9)
        #expect(throws: TrainingError("the training set has 9x9 images but the model expects input shape [1, 8, 8]")) {
            try Trainer.fit(&model, train: wrongSize, validation: nil, config: TrainingConfig(epochs: 1, batchSize: 2)) { _ in }
        }
        #expect(throws: TrainingError("batch size must be positive, got 0")) {
            try Trainer.fit(&model, train: Self.noiseSet(), validation: nil, config: TrainingConfig(epochs: 1, batchSize: 0)) { _ in }
        }
    }

    /// The issue's `--set train.lr=1e12`: the loss turns NaN; training stops there with an error naming the epoch
    /// and batch, instead of carrying NaN weights on to a crash in evaluation.
    @Test func divergenceStopsWithAClearError() throws {
        var model = try Model(layers: Self.smallCNN, inputShape: [1, 8, 8], normalization: InputNormalization(), seed: 1)
        let config = TrainingConfig(epochs: 3, batchSize: 4,
                                    optimizer: .adam(lr: 1e30, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0), seed: 1)
        var batches = 0
        let error = #expect(throws: TrainingError.self) {
            try Trainer.fit(&model, train: Self.noiseSet(), validation: Self.noiseSet(), config: config) { event in
                if case .batchEnd = event { batches += 1 }
            }
        }
        let at = try #require(error?.divergedAt)
        #expect(at.epoch == 1 && at.batch <= 4)
        #expect(batches < 4, "it ran \(batches) batches on NaN")
        #expect(error?.message.hasPrefix("training diverged at epoch \(at.epoch), batch \(at.batch) of 4: ") == true)
        #expect(error?.message.contains("try a lower learning rate") == true)
    }

    @Test func nonFiniteWeightsAreNamed() throws {
        var model = try Model(layers: Self.smallCNN, inputShape: [1, 8, 8], normalization: InputNormalization(), seed: 1)
        #expect(model.firstNonFiniteParameter() == nil)
        model.parameters[5].bias!.scalars[3] = .infinity
        #expect(model.firstNonFiniteParameter() == "layers.5.bias")
    }

    /// A NaN model's evaluation gives wrong answers and a count of the broken rows, never an index out of range.
    @Test func evaluationOfANaNModelDoesNotCrash() throws {
        var model = try Model(layers: Self.smallCNN, inputShape: [1, 8, 8], normalization: InputNormalization(), seed: 1)
        model.parameters[7].bias!.scalars[0] = .nan
        let set = Self.noiseSet()
        let e = evaluate(model, on: set, batchSize: 5, threads: 1)
        #expect(e.nonFiniteCount == set.count)
        #expect(e.predictions.count == set.count && e.predictions.allSatisfy { $0 < 10 })
        #expect(SoftmaxCrossEntropy.argmax([Float.nan, .nan][...]) == 0)
        #expect(SoftmaxCrossEntropy.argmax([Float.nan, 1, 3, 3][...]) == 2)
        #expect(SoftmaxCrossEntropy.argmax([-Float.infinity, -.infinity][...]) == 0)
    }

    @Test func modelInitialisationChecksShapes() throws {
        #expect(throws: ModelError("layer 7 (dense(9000->128)): expects in_features=9000 (in_features=9216 fits), "
                                   + "but its input has shape [9216]")) {
            try Model(layers: [.conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, stride: 1, padding: 0), .relu,
                               .conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, stride: 1, padding: 0), .relu,
                               .maxpool2d(kernelSize: 2, stride: 2), .dropout(p: 0.25), .flatten,
                               .dense(inFeatures: 9000, outFeatures: 128)],
                      inputShape: [1, 28, 28], normalization: InputNormalization(), seed: 0)
        }
        let m1 = try Model(layers: [.conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, stride: 1, padding: 0), .relu,
                                    .conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, stride: 1, padding: 0), .relu,
                                    .maxpool2d(kernelSize: 2, stride: 2), .dropout(p: 0.25), .flatten,
                                    .dense(inFeatures: 9216, outFeatures: 128), .relu, .dropout(p: 0.5),
                                    .dense(inFeatures: 128, outFeatures: 10)],
                           inputShape: [1, 28, 28], normalization: InputNormalization(), seed: 0)
        // PyTorch's count for the same network.
        #expect(m1.parameterCount == 1_199_882)
        #expect(m1.layerSummaries()[4].outputShape == [64, 12, 12])
        // PyTorch's default bound for the first conv: 1/sqrt(fan_in) = 1/3.
        let w = try #require(m1.parameters[0].weight)
        #expect(w.scalars.allSatisfy { abs($0) <= 1 / 3 } && w.scalars.contains { abs($0) > 0.3 })
    }
}
