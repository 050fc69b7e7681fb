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

extension OptimizerTests {
    /// The tensor-list update with decay on is the layer-parameters update, bit for bit; with decay off it is the
    /// same optimizer with weight decay 0 (PyTorch parameter groups with `weight_decay=0`).
    @Test(arguments: [OptimizerSpec.adam(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1),
                      .adamw(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05),
                      .sgd(lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01),
                      .adadelta(lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0.02)])
    func perTensorDecayFlags(spec: OptimizerSpec) {
        var rng = SeededGenerator(seed: 8)
        let shapes = [[7, 5], [7], [1, 1, 5], [70_001]]
        let start = shapes.map { s in Tensor(shape: s, scalars: (0..<s.reduce(1, *)).map { _ in rng.nextUnitFloat() - 0.5 }) }
        let grads = (0..<3).map { _ in
            shapes.map { s in Tensor(shape: s, scalars: (0..<s.reduce(1, *)).map { _ in rng.nextUnitFloat() - 0.5 }) }
        }
        func run(_ spec: OptimizerSpec, decays: [Bool], threads: Int) -> [Tensor] {
            var optimizer = Optimizer(spec: spec)
            var tensors = start
            for g in grads {
                optimizer.update(&tensors, gradients: g, decays: decays, lr: spec.learningRate * 0.5, threads: threads)
            }
            return tensors
        }
        // All decaying: the same bits as the layer-parameters update (weight, bias, weight, bias).
        var layered = Optimizer(spec: spec)
        var params = [LayerParameters(weight: start[0], bias: start[1]), LayerParameters(weight: start[2], bias: start[3])]
        for g in grads {
            layered.update(&params, gradients: [LayerParameters(weight: g[0], bias: g[1]), LayerParameters(weight: g[2], bias: g[3])],
                           lr: spec.learningRate * 0.5, threads: 2)
        }
        let all = run(spec, decays: [true, true, true, true], threads: 2)
        #expect(all == [params[0].weight!, params[0].bias!, params[1].weight!, params[1].bias!])
        // Mixed: decaying tensors as with decay everywhere, the others as without decay.
        let mixed = run(spec, decays: [true, false, false, true], threads: 2)
        let none = run(spec.withoutWeightDecay, decays: [true, true, true, true], threads: 2)
        #expect(mixed[0] == all[0] && mixed[3] == all[3])
        #expect(mixed[1] == none[1] && mixed[2] == none[2])
        #expect(mixed[1] != all[1], "weight decay had no effect")
        #expect(run(spec, decays: [true, false, false, true], threads: 1) == mixed)
    }

    @Test func warmupCosineSchedule() {
        // 10 epochs of 20 batches, 2 of warm-up: 40 warm-up steps up to the base rate, then a cosine to 1e-5.
        let schedule = LRSchedule.warmupCosine(warmupEpochs: 2, minLR: 1e-5)
        func lr(_ step: Int) -> Float {
            schedule.learningRate(base: 1e-3, epoch: step / 20, epochs: 10, step: step, totalSteps: 200)
        }
        #expect(abs(lr(0) - 1e-3 / 40) < 1e-9)
        #expect(abs(lr(19) - 1e-3 * 20 / 40) < 1e-9)
        #expect(abs(lr(39) - 1e-3) < 1e-9)
        #expect(abs(lr(40) - 1e-3) < 1e-9)  // the cosine starts at the peak
        #expect(abs(lr(120) - (1e-5 + (1e-3 - 1e-5) / 2)) < 1e-8)  // half-way down
        #expect(lr(199) > 1e-5 && lr(199) < 1.01e-5)
        let rates = (0..<200).map(lr)
        #expect(zip(rates, rates.dropFirst()).prefix(39).allSatisfy { $0 < $1 })
        #expect(zip(rates.dropFirst(40), rates.dropFirst(41)).allSatisfy { $0 > $1 })
        // No warm-up: a per-batch cosine from the base; a fraction of an epoch is rounded to whole batches.
        let plain = LRSchedule.warmupCosine(warmupEpochs: 0, minLR: 0)
        #expect(plain.learningRate(base: 2, epoch: 0, epochs: 4, step: 0, totalSteps: 40) == 2)
        let short = LRSchedule.warmupCosine(warmupEpochs: 0.26, minLR: 0)  // 2.6 -> 3 batches of 10 per epoch
        #expect(abs(short.learningRate(base: 3, epoch: 0, epochs: 4, step: 0, totalSteps: 40) - 1) < 1e-6)
        #expect(short.learningRate(base: 3, epoch: 0, epochs: 4, step: 3, totalSteps: 40) == 3)
    }
}
