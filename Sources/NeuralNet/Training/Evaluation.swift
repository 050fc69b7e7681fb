import Tensor

/// A model's results on a labelled set, in evaluation mode.
public struct Evaluation: Sendable {
    /// Mean cross-entropy (no label smoothing).
    public var loss: Float
    public var accuracy: Float
    /// `[N, classes]` softmax outputs.
    public var probabilities: Tensor
    /// The most probable class per image.
    public var predictions: [UInt8]
    /// How many images got an output with a NaN or an infinity (a diverged or corrupt model); their
    /// predictions are meaningless.
    public var nonFiniteCount: Int = 0
}

public func evaluate(_ model: Model, on set: ImageSet, batchSize: Int, threads: Int) -> Evaluation {
    let logits = model.logits(set, batchSize: batchSize, threads: threads)
    guard set.count > 0 else {
        return Evaluation(loss: 0, accuracy: 0, probabilities: logits, predictions: [])
    }
    let result = SoftmaxCrossEntropy.evaluate(logits: logits, labels: set.labels[...])
    let probabilities = SoftmaxCrossEntropy.softmax(logits)
    let k = model.classCount
    let predictions = (0..<set.count).map { i -> UInt8 in
        UInt8(SoftmaxCrossEntropy.argmax(probabilities.scalars[(i * k)..<((i + 1) * k)]))
    }
    let nonFinite = (0..<set.count).count { i in
        probabilities.scalars[(i * k)..<((i + 1) * k)].contains { !$0.isFinite }
    }
    return Evaluation(loss: result.loss, accuracy: Float(result.correct) / Float(set.count),
                      probabilities: probabilities, predictions: predictions, nonFiniteCount: nonFinite)
}
