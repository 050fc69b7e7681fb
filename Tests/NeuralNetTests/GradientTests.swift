import Testing
import Tensor
@testable import NeuralNet

/// Every layer's backward pass against central finite differences of the loss, on small networks where
/// Float32 differences are accurate to about 1e-3.
struct GradientTests {
    static func batch(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.nextNormal() })
    }

    /// Loss of a training-mode forward pass with dropout masks fixed by `seed`.
    static func loss(_ model: Model, _ x: Tensor, _ labels: [UInt8], smoothing: Float, seed: UInt64) -> Float {
        var m = model
        var rng = SeededGenerator(seed: seed)
        let (logits, _) = m.forwardTraining(x, rng: &rng, threads: 2)
        return SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels[...], smoothing: smoothing).loss
    }

    /// `checkOnce` on every kernel path this CPU supports.
    static func check(_ layers: [LayerSpec], input: [Int], batch n: Int, smoothing: Float = 0) throws {
        for path in KernelPath.supported {
            try KernelPath.using(path) { try checkOnce(layers, input: input, batch: n, smoothing: smoothing, path: path) }
        }
    }

    static func checkOnce(_ layers: [LayerSpec], input: [Int], batch n: Int, smoothing: Float, path: KernelPath) throws {
        var model = try Model(layers: layers, inputShape: input, normalization: InputNormalization(), seed: 7)
        let x = batch([n] + input, seed: 3)
        let labels = (0..<n).map { UInt8($0 % model.classCount) }
        var rng = SeededGenerator(seed: 99)
        var scratch = model
        let (logits, caches) = scratch.forwardTraining(x, rng: &rng, threads: 2)
        let result = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels[...], smoothing: smoothing)
        let grads = scratch.backward(caches, outputGradient: result.gradient, threads: 2)
        let eps: Float = 2e-3
        var checked = 0
        for i in model.parameters.indices {
            for (k, entry) in model.parameters[i].entries.enumerated() where entry.trainable {
                let p = entry.tensor
                let g = try #require(grads[i][entry.name], "layer \(i) has no gradient for \(entry.name)")
                #expect(g.shape == p.shape)
                // Up to 12 entries per tensor, spread over it.
                let step = max(1, p.count / 12)
                for j in stride(from: 0, to: p.count, by: step) {
                    let original = p.scalars[j]
                    model.parameters[i].entries[k].tensor.scalars[j] = original + eps
                    let up = loss(model, x, labels, smoothing: smoothing, seed: 99)
                    model.parameters[i].entries[k].tensor.scalars[j] = original - eps
                    let down = loss(model, x, labels, smoothing: smoothing, seed: 99)
                    model.parameters[i].entries[k].tensor.scalars[j] = original
                    let numeric = (up - down) / (2 * eps)
                    let analytic = g.scalars[j]
                    #expect(abs(numeric - analytic) <= 2e-3 + 2e-2 * abs(analytic),
                            "\(path): layer \(i) (\(layers[i].name)) \(entry.name) [\(j)]: numeric \(numeric), analytic \(analytic)")
                    checked += 1
                }
            }
        }
        #expect(checked > 0)
    }

    @Test func convReluMaxpoolDense() throws {
        try Self.check([.conv2d(inChannels: 1, outChannels: 3, kernelSize: 3, stride: 1, padding: 1), .relu,
                        .maxpool2d(kernelSize: 2, stride: 2), .flatten,
                        .dense(inFeatures: 27, outFeatures: 4)], input: [1, 6, 6], batch: 3)
    }

    @Test func stridedPaddedConvGeluBatchNorm2dDropout() throws {
        try Self.check([.conv2d(inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2, padding: 1), .gelu,
                        .batchnorm2d(numFeatures: 4, eps: 1e-5, momentum: 0.1),
                        .conv2d(inChannels: 4, outChannels: 3, kernelSize: 2, stride: 1, padding: 0), .flatten,
                        .dropout(p: 0.3), .dense(inFeatures: 27, outFeatures: 5)], input: [2, 7, 7], batch: 4)
    }

    @Test func denseBatchNorm1dWithLabelSmoothing() throws {
        try Self.check([.flatten, .dense(inFeatures: 10, outFeatures: 8),
                        .batchnorm1d(numFeatures: 8, eps: 1e-5, momentum: 0.1), .relu,
                        .dense(inFeatures: 8, outFeatures: 3)], input: [1, 2, 5], batch: 5, smoothing: 0.1)
    }

    @Test func batchOfOne() throws {
        try Self.check([.conv2d(inChannels: 1, outChannels: 2, kernelSize: 3, stride: 1, padding: 0), .relu,
                        .flatten, .dense(inFeatures: 18, outFeatures: 3)], input: [1, 5, 5], batch: 1)
    }
}
