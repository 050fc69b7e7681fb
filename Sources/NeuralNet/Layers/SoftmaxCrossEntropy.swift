#if canImport(Glibc)
import Glibc
#endif
import Tensor

/// Mean softmax cross-entropy over a batch of logits, with optional label smoothing (PyTorch's
/// `CrossEntropyLoss(label_smoothing:)`: the target is `(1 - e) * onehot + e / K`).
public enum SoftmaxCrossEntropy {
    public struct Result: Sendable {
        public var loss: Float
        /// d(mean loss)/d(logits), `[N, K]`.
        public var gradient: Tensor
        /// How many rows' largest logit is the label.
        public var correct: Int
    }

    /// Numerically stable: each row is shifted by its maximum before exponentiating.
    public static func evaluate(logits: Tensor, labels: ArraySlice<UInt8>, smoothing: Float = 0) -> Result {
        let (n, k) = (logits.shape[0], logits.shape[1])
        precondition(labels.count == n)
        var grad = [Float](repeating: 0, count: n * k)
        var total = 0.0
        var correct = 0
        let invN = 1 / Float(n)
        for (i, label) in zip(0..<n, labels) {
            let row = logits.scalars[(i * k)..<((i + 1) * k)]
            let top = row.max()!
            var sum = 0.0
            for v in row { sum += Double(expf(v - top)) }
            let logSum = Double(top) + log(sum)
            let y = Int(label)
            var rowLoss = (1 - Double(smoothing)) * (logSum - Double(row[row.startIndex + y]))
            if smoothing > 0 {
                var mean = 0.0
                for v in row { mean += logSum - Double(v) }
                rowLoss += Double(smoothing) * mean / Double(k)
            }
            total += rowLoss
            if argmax(row) == y { correct += 1 }
            for j in 0..<k {
                let p = Float(exp(Double(row[row.startIndex + j]) - logSum))
                let target = (j == y ? 1 - smoothing : 0) + smoothing / Float(k)
                grad[i * k + j] = (p - target) * invN
            }
        }
        return Result(loss: Float(total / Double(n)), gradient: Tensor(shape: [n, k], scalars: grad), correct: correct)
    }

    /// The offset in `row` of its largest value, the first one on ties. NaN is never the largest (a row of NaN
    /// gives 0), so a diverged model's outputs give a wrong class, never a crash.
    public static func argmax(_ row: ArraySlice<Float>) -> Int {
        var best = 0
        var top = -Float.infinity
        for (j, v) in row.enumerated() where v > top {
            best = j
            top = v
        }
        return best
    }

    /// Row-wise softmax of `[N, K]` logits.
    public static func softmax(_ logits: Tensor) -> Tensor {
        let (n, k) = (logits.shape[0], logits.shape[1])
        var out = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            let row = logits.scalars[(i * k)..<((i + 1) * k)]
            let top = row.max()!
            var sum: Float = 0
            for (j, v) in row.enumerated() {
                out[i * k + j] = expf(v - top)
                sum += out[i * k + j]
            }
            for j in 0..<k { out[i * k + j] /= sum }
        }
        return Tensor(shape: [n, k], scalars: out)
    }
}
