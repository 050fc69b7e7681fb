import NeuralNet
import Testing
import Tensor
@testable import Runtime

/// Guards the cache key against kernels whose numbers change silently: a tiny training run per kernel path must
/// reproduce the weights recorded for the current `Engine.numericsVersion`.
///
/// The model (dropout, one convolution with a fused ReLU, max pooling to the ten logits) runs only the engine's
/// own kernels: the direct convolution's forward pass and weight gradient (the first layer needs no input
/// gradient), the dropout masks, pooling, Adam and the loss. OpenBLAS, whose kernels differ between CPUs, is not involved,
/// so a path gives the same bits on every machine that runs it.
@Suite struct EngineNumericsTests {
    /// XXH64 of the trained weights and biases per path, recorded with `numericsVersion`.
    static let recorded = (numericsVersion: 2, weights: [
        KernelPath.avx512: "ed017effe45438d6",
        .avx2: "76ddd26841d20f41",
        .portable: "a22a8e6348093fc2",
    ])

    static func trainTinyModel() throws -> String {
        var rng = SeededGenerator(seed: 12)
        let count = 40, side = 14
        let labels = (0..<count).map { UInt8($0 % 10) }
        // A bright block per class on noise, so the model learns something in a few steps.
        let pixels = (0..<(count * side * side)).map { i -> UInt8 in
            let (n, pixel) = i.quotientAndRemainder(dividingBy: side * side)
            let inBlock = pixel / side / 3 == Int(labels[n]) % 4 && pixel % side / 3 == Int(labels[n]) / 4
            return inBlock ? 200 &+ UInt8(truncatingIfNeeded: rng.next() % 50) : UInt8(truncatingIfNeeded: rng.next() % 60)
        }
        let set = ImageSet(pixels: pixels, labels: labels, height: side, width: side)
        // 5x5 outputs per channel (flat rows of 14, so several lanes of the weight gradient's sums count),
        // pooled to the ten logits.
        var model = try Model(layers: [.dropout(p: 0.2),
                                       .conv2d(inChannels: 1, outChannels: 10, kernelSize: side - 4, stride: 1, padding: 0),
                                       .relu, .maxpool2d(kernelSize: 5, stride: 5), .flatten],
                              inputShape: [1, side, side], normalization: InputNormalization(), seed: 5)
        let config = TrainingConfig(epochs: 2, batchSize: 16, optimizer: .adamDefault, labelSmoothing: 0.05, seed: 9,
                                    threads: 2)
        _ = try Trainer.fit(&model, train: set, validation: nil, config: config) { _ in }
        let floats = model.parameters.flatMap { ($0.weight?.scalars ?? []) + ($0.bias?.scalars ?? []) }
        return String(floats.withUnsafeBytes { XXHash64.hash($0) }, radix: 16)
    }

    @Test func tinyTrainingRunGivesTheRecordedWeightsOnEveryPath() throws {
        var measured: [KernelPath: String] = [:]
        for path in KernelPath.supported {
            measured[path] = try KernelPath.using(path) { try Self.trainTinyModel() }
            #expect(try KernelPath.using(path) { try Self.trainTinyModel() } == measured[path], "\(path): not repeatable")
        }
        let listing = KernelPath.supported.map { "\($0): \"\(measured[$0]!)\"" }.joined(separator: ", ")
        guard Engine.numericsVersion == Self.recorded.numericsVersion else {
            let message = "Engine.numericsVersion is \(Engine.numericsVersion) but the weights were recorded for "
                + "\(Self.recorded.numericsVersion): record this version's weights (\(listing))"
            Issue.record(Comment(rawValue: message))
            return
        }
        for path in KernelPath.supported {
            #expect(measured[path] == Self.recorded.weights[path],
                    """
                    the \(path) kernels' numbers changed while Engine.numericsVersion stayed \(Engine.numericsVersion): \
                    cached results of the earlier engine would be served as this one's. Bump Engine.numericsVersion \
                    and record the new weights (\(listing)).
                    """)
        }
    }

    /// The engine's identity (numerics version and kernel path) is in every cache key the planner makes.
    @Test func cacheKeysNameTheEngineAndItsKernelPath() {
        let versions = KernelPath.supported.map { path in KernelPath.using(path) { StepwiseVersion.withEngine } }
        #expect(Set(versions).count == versions.count)
        for (path, version) in zip(KernelPath.supported, versions) {
            #expect(version.hasPrefix("\(StepwiseVersion.current) (engine \(Engine.numericsVersion), \(path) kernels"))
        }
        #expect(Planner(workflow: "train", steps: [], previous: nil).runnerVersion == StepwiseVersion.withEngine)
    }
}
