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
        let row = probabilities.scalars[(i * k)..<((i + 1) * k)]
        return UInt8(row.firstIndex(of: row.max()!)! - row.startIndex)
    }
    return Evaluation(loss: result.loss, accuracy: Float(result.correct) / Float(set.count),
                      probabilities: probabilities, predictions: predictions)
}
