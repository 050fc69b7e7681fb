import Testing
import Tensor
@testable import NeuralNet

/// One-parameter updates worked out by hand from PyTorch's documented update rules.
struct OptimizerTests {
    static func steps(_ spec: OptimizerSpec, gradients: [Float], start: Float = 1, lr: Float) -> [Float] {
        var optimizer = Optimizer(spec: spec)
        var params = [LayerParameters(weight: Tensor(shape: [1], scalars: [start]))]
        var trace: [Float] = []
        for g in gradients {
            optimizer.update(&params, gradients: [LayerParameters(weight: Tensor(shape: [1], scalars: [g]))], lr: lr)
            trace.append(params[0].weight!.scalars[0])
        }
        return trace
    }

    @Test func sgdMomentumAndNesterov() {
        // buf1 = 0.5, p1 = 1 - 0.1*0.5 = 0.95; buf2 = 0.9*0.5 + 0.5 = 0.95, p2 = 0.95 - 0.095 = 0.855
        let plain = Self.steps(.sgd(lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0), gradients: [0.5, 0.5], lr: 0.1)
        #expect(abs(plain[0] - 0.95) < 1e-6 && abs(plain[1] - 0.855) < 1e-6)
        // Nesterov: step uses g + 0.9*buf: 0.5 + 0.45 = 0.95 -> 0.905; then 0.5 + 0.9*0.95 = 1.355 -> 0.7695
        let nesterov = Self.steps(.sgd(lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0), gradients: [0.5, 0.5], lr: 0.1)
        #expect(abs(nesterov[0] - 0.905) < 1e-6 && abs(nesterov[1] - 0.7695) < 1e-6)
        // Weight decay 0.1 adds 0.1 * p = 0.1 to the gradient.
        let decayed = Self.steps(.sgd(lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0.1), gradients: [0.5], lr: 0.1)
        #expect(abs(decayed[0] - 0.94) < 1e-6)
    }

    @Test func adamFirstStepMovesByLearningRate() {
        let p = Self.steps(.adam(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0), gradients: [3], lr: 0.01)
        #expect(abs(p[0] - 0.99) < 1e-6)
        // AdamW shrinks the weight first (1 - 0.01 * 0.5), then the same Adam step.
        let w = Self.steps(.adamw(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5), gradients: [3], lr: 0.01)
        #expect(abs(w[0] - (0.995 - 0.01)) < 1e-6)
        // Adam with L2 decay adds it to the gradient instead: the sign is unchanged, so the step is still lr.
        let l2 = Self.steps(.adam(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5), gradients: [3], lr: 0.01)
        #expect(abs(l2[0] - 0.99) < 1e-6)
    }

    @Test func adadeltaFirstStep() {
        // sq = 0.1 * 4 = 0.4; delta = sqrt(1e-6) / sqrt(0.4 + 1e-6) * 2; p = 1 - 1.0 * delta
        let p = Self.steps(.adadelta(lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0), gradients: [2], lr: 1)
        let delta = (1e-6 as Double).squareRoot() / (0.4 + 1e-6).squareRoot() * 2
        #expect(abs(Double(p[0]) - (1 - delta)) < 1e-6)
    }

    @Test func schedules() {
        let step = LRSchedule.step(everyEpochs: 2, gamma: 0.5)
        #expect(step.learningRate(base: 1, epoch: 1, epochs: 6, step: 0, totalSteps: 60) == 1)
        #expect(step.learningRate(base: 1, epoch: 4, epochs: 6, step: 0, totalSteps: 60) == 0.25)
        let cosine = LRSchedule.cosine(minLR: 0.1)
        #expect(abs(cosine.learningRate(base: 1, epoch: 0, epochs: 4, step: 0, totalSteps: 40) - 1) < 1e-6)
        #expect(abs(cosine.learningRate(base: 1, epoch: 2, epochs: 4, step: 0, totalSteps: 40) - 0.55) < 1e-6)
        let cycle = LRSchedule.oneCycle(maxLR: 1, pctStart: 0.3)
        #expect(abs(cycle.learningRate(base: 0, epoch: 0, epochs: 1, step: 0, totalSteps: 101) - 0.04) < 1e-6)
        let peak = (0..<101).map { cycle.learningRate(base: 0, epoch: 0, epochs: 1, step: $0, totalSteps: 101) }
        #expect(abs(peak.max()! - 1) < 1e-3)
        #expect(abs(peak.last! - 0.04 / 1e4) < 1e-7)
        #expect(LRSchedule.constant.learningRate(base: 0.3, epoch: 5, epochs: 9, step: 7, totalSteps: 9) == 0.3)
    }
}

extension OptimizerTests {
    /// A tensor long enough for the eight-wide loop, its scalar tail and the split across threads: every
    /// element ends exactly where a one-element Adam (the scalar path) puts it, for 1 and 3 threads.
    @Test(arguments: [OptimizerSpec.adam(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1),
                      .adamw(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1)])
    func vectorAndThreadedAdamMatchTheScalarUpdate(spec: OptimizerSpec) {
        let n = (1 << 16) + 13
        var rng = SeededGenerator(seed: 5)
        let start = (0..<n).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let grads = (0..<3).map { _ in (0..<n).map { _ in rng.nextUnitFloat() * 2 - 1 } }
        func run(threads: Int) -> [Float] {
            var optimizer = Optimizer(spec: spec)
            var params = [LayerParameters(weight: Tensor(shape: [n], scalars: start))]
            for g in grads {
                optimizer.update(&params, gradients: [LayerParameters(weight: Tensor(shape: [n], scalars: g))],
                                 lr: 0.01, threads: threads)
            }
            return params[0].weight!.scalars
        }
        let one = run(threads: 1), three = run(threads: 3)
        #expect(one == three)
        for i in [0, 1, 7, 8, 9, n / 2, n - 14, n - 1] {
            let scalar = Self.steps(spec, gradients: grads.map { $0[i] }, start: start[i], lr: 0.01)
            #expect(one[i] == scalar.last!, "element \(i)")
        }
    }
}
