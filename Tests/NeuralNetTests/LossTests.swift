import Testing
import Tensor
@testable import NeuralNet

struct LossTests {
    @Test func crossEntropyMatchesDefinitionWithSmoothing() {
        let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 0.5, -1, 0])
        let labels: [UInt8] = [2, 0]
        let e: Float = 0.2
        let r = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels[...], smoothing: e)
        var expected: Double = 0
        for i in 0..<2 {
            let row = logits.scalars[(i * 3)..<(i * 3 + 3)].map(Double.init)
            let lse = log(row.map { exp($0) }.reduce(0, +))
            let target = (0..<3).map { ($0 == Int(labels[i]) ? 1 - Double(e) : 0) + Double(e) / 3 }
            expected += zip(target, row).map { $0 * (lse - $1) }.reduce(0, +)
        }
        #expect(abs(Double(r.loss) - expected / 2) < 1e-6)
        #expect(r.correct == 2)
        // Each row of the gradient sums to zero (probabilities and targets both sum to one).
        for i in 0..<2 { #expect(abs(r.gradient.scalars[(i * 3)..<(i * 3 + 3)].reduce(0, +)) < 1e-6) }
    }

    @Test func crossEntropyIsStableForHugeLogits() {
        let logits = Tensor(shape: [1, 3], scalars: [1000, -1000, 999])
        let r = SoftmaxCrossEntropy.evaluate(logits: logits, labels: [2])
        #expect(r.loss.isFinite && abs(r.loss - 1.3132616) < 1e-4)
        #expect(SoftmaxCrossEntropy.softmax(logits).scalars.allSatisfy { $0.isFinite })
    }
}

#if canImport(Glibc)
import Glibc
#endif
