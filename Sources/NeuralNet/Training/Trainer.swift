import Dispatch
import Tensor

/// The training loop: shuffle, (augment,) forward, loss, backward, optimizer step, per batch; events out.
public struct Trainer {
    public static func fit(_ model: inout Model, train: ImageSet, validation: ImageSet?, config: TrainingConfig,
                           onEvent: (TrainingEvent) -> Void) throws -> [EpochMetrics]
    {
        try check(model, train, name: "training set")
        if let validation { try check(model, validation, name: "validation set") }
        guard config.epochs >= 0 else { throw TrainingError("epochs must be 0 or more, got \(config.epochs)") }
        guard config.batchSize > 0 else { throw TrainingError("batch size must be positive, got \(config.batchSize)") }
        guard config.threads > 0 else { throw TrainingError("threads must be positive, got \(config.threads)") }
        guard config.labelSmoothing >= 0, config.labelSmoothing < 1 else {
            throw TrainingError("label smoothing must be in [0, 1), got \(config.labelSmoothing)")
        }
        guard train.count > 0 else { throw TrainingError("the training set is empty") }
        Parallel.useSingleThreadedBLAS()
        Parallel.retainFreedMemory()

        let batches = (train.count + config.batchSize - 1) / config.batchSize
        let totalSteps = batches * config.epochs
        var optimizer = Optimizer(spec: config.optimizer)
        var dropoutRNG = SeededGenerator.derived(from: config.seed, name: "dropout")
        var augmentRNG = SeededGenerator.derived(from: config.seed, name: "augment")
        var history: [EpochMetrics] = []
        onEvent(.fitStart(epochs: config.epochs, batchesPerEpoch: batches, trainCount: train.count))

        for epoch in 0..<config.epochs {
            onEvent(.epochStart(epoch: epoch + 1))
            let epochStart = DispatchTime.now().uptimeNanoseconds
            var shuffleRNG = SeededGenerator.derived(from: config.seed, name: "shuffle.epoch.\(epoch)")
            let order = shuffled(train.count, rng: &shuffleRNG)
            var lossSum = 0.0, correct = 0, seen = 0
            var lr = config.optimizer.learningRate
            for b in 0..<batches {
                if let stop = config.shouldStop, stop() { throw TrainingStopped(epoch: epoch + 1, batch: b + 1) }
                let indices = order[(b * config.batchSize)..<min(train.count, (b + 1) * config.batchSize)]
                let x = BatchBuilder.tensor(train, indices: indices, inputShape: model.inputShape,
                                            normalization: model.normalization) { image in
                    guard let spec = config.augmentation, !spec.isIdentity else { return nil }
                    return Augmenter.augment(image, height: train.height, width: train.width, spec: spec,
                                             rng: &augmentRNG)
                }
                let labels = ArraySlice(indices.map { train.labels[$0] })
                let (logits, caches) = model.forwardTraining(x, rng: &dropoutRNG, threads: config.threads)
                let result = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels,
                                                          smoothing: config.labelSmoothing)
                // The loss is at hand: one comparison per batch catches divergence before it spreads.
                guard result.loss.isFinite else {
                    throw TrainingError.diverged(epoch: epoch + 1, batch: b + 1, batches: batches, what: "the loss is \(result.loss.isNaN ? "NaN" : "infinite")",
                                                 learningRate: config.optimizer.learningRate)
                }
                let grads = model.backward(caches, outputGradient: result.gradient, threads: config.threads)
                lr = config.schedule.learningRate(base: config.optimizer.learningRate, epoch: epoch,
                                                  epochs: config.epochs, step: epoch * batches + b,
                                                  totalSteps: totalSteps)
                optimizer.update(&model.parameters, gradients: grads, lr: lr, threads: config.threads)

                lossSum += Double(result.loss) * Double(indices.count)
                correct += result.correct
                seen += indices.count
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
                let rate = Double(seen) / max(elapsed, 1e-9)
                let remaining = Double(totalSteps - (epoch * batches + b + 1)) * Double(config.batchSize) / rate
                onEvent(.batchEnd(epoch: epoch + 1, batch: b + 1, loss: result.loss,
                                  accuracy: Float(result.correct) / Float(indices.count),
                                  imagesPerSecond: rate, secondsLeft: remaining))
            }
            // An update can overflow the weights on the last batch, after its loss was still finite: one pass over
            // the parameters per epoch (about a millisecond for m1) catches that before validation or saving.
            if let bad = model.firstNonFiniteParameter() {
                throw TrainingError.diverged(epoch: epoch + 1, batch: batches, batches: batches, what: "\(bad) is not finite",
                                             learningRate: config.optimizer.learningRate)
            }
            var metrics = EpochMetrics(epoch: epoch + 1, trainLoss: Float(lossSum / Double(seen)),
                                       trainAccuracy: Float(correct) / Float(seen), validationLoss: nil,
                                       validationAccuracy: nil, learningRate: lr, seconds: 0)
            if let validation, validation.count > 0 {
                let eval = evaluate(model, on: validation, batchSize: max(config.batchSize, 256),
                                    threads: config.threads)
                metrics.validationLoss = eval.loss
                metrics.validationAccuracy = eval.accuracy
            }
            metrics.seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
            history.append(metrics)
            onEvent(.epochEnd(metrics))
        }
        onEvent(.fitEnd)
        return history
    }

    static func check(_ model: Model, _ set: ImageSet, name: String) throws {
        guard model.inputShape == [1, set.height, set.width] else {
            throw TrainingError("the \(name) has \(set.height)x\(set.width) images but the model expects input "
                                + "shape \(model.inputShape)")
        }
        if let bad = set.labels.first(where: { Int($0) >= model.classCount }) {
            throw TrainingError("the \(name) has label \(bad) but the model has \(model.classCount) outputs")
        }
    }

    /// Fisher–Yates with the project's generator, so the order is the same on every platform and toolchain.
    static func shuffled(_ count: Int, rng: inout SeededGenerator) -> [Int] {
        var order = Array(0..<count)
        guard count > 1 else { return order }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }
}
