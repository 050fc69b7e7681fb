/// An optimizer and its hyper-parameters, with PyTorch's update rules. `weightDecay` is L2 added to the
/// gradient for SGD, Adam and Adadelta, and decoupled (the weights shrink by `lr * weightDecay`) for AdamW.
public enum OptimizerSpec: Sendable, Hashable {
    case sgd(lr: Float, momentum: Float, nesterov: Bool, weightDecay: Float)
    case adam(lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float)
    case adamw(lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float)
    case adadelta(lr: Float, rho: Float, eps: Float, weightDecay: Float)

    /// The base learning rate.
    public var learningRate: Float {
        switch self {
        case let .sgd(lr, _, _, _), let .adam(lr, _, _, _, _), let .adamw(lr, _, _, _, _), let .adadelta(lr, _, _, _): lr
        }
    }

    /// The same optimizer with `weightDecay` 0: the rule for tensors exempt from decay.
    public var withoutWeightDecay: OptimizerSpec {
        switch self {
        case let .sgd(lr, momentum, nesterov, _): .sgd(lr: lr, momentum: momentum, nesterov: nesterov, weightDecay: 0)
        case let .adam(lr, b1, b2, eps, _): .adam(lr: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: 0)
        case let .adamw(lr, b1, b2, eps, _): .adamw(lr: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: 0)
        case let .adadelta(lr, rho, eps, _): .adadelta(lr: lr, rho: rho, eps: eps, weightDecay: 0)
        }
    }

    /// PyTorch's defaults for Adam (lr 0.001, betas 0.9/0.999, eps 1e-8).
    public static let adamDefault = OptimizerSpec.adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0)
}

/// How the learning rate moves over training.
public enum LRSchedule: Sendable, Hashable {
    case constant
    /// Multiply by `gamma` every `everyEpochs` epochs (PyTorch `StepLR`).
    case step(everyEpochs: Int, gamma: Float)
    /// Cosine from the base rate down to `minLR` over all epochs, set per epoch (`CosineAnnealingLR`).
    case cosine(minLR: Float)
    /// Set per batch: a linear warm-up over the first `warmupEpochs` epochs' worth of batches (`w`, rounded), from
    /// `base / w` at the first batch to `base` at batch `w`, then a cosine from `base` down to `minLR` over the
    /// remaining batches. The usual recipe for training vision transformers from scratch.
    case warmupCosine(warmupEpochs: Float, minLR: Float)
    /// PyTorch `OneCycleLR` with cosine annealing, set per batch: from maxLR/25 up to `maxLR` over the first
    /// `pctStart` of the steps, then down to maxLR/25/1e4.
    case oneCycle(maxLR: Float, pctStart: Float)

    /// The rate for a batch. `epoch` and `step` count from 0; `totalSteps` is epochs * batches per epoch.
    public func learningRate(base: Float, epoch: Int, epochs: Int, step: Int, totalSteps: Int) -> Float {
        switch self {
        case .constant:
            return base
        case let .step(every, gamma):
            return base * pow(gamma, Float(epoch / max(every, 1)))
        case let .cosine(minLR):
            guard epochs > 0 else { return base }
            return minLR + (base - minLR) * (1 + cos(Float.pi * Float(epoch) / Float(epochs))) / 2
        case let .warmupCosine(warmupEpochs, minLR):
            guard epochs > 0, totalSteps > 0 else { return base }
            let warm = (warmupEpochs * Float(totalSteps) / Float(epochs)).rounded()
            let s = Float(step)
            if s < warm { return base * (s + 1) / warm }
            let rest = Float(totalSteps) - warm
            let progress = rest > 0 ? min(max((s - warm) / rest, 0), 1) : 1
            return minLR + (base - minLR) * (1 + cos(Float.pi * progress)) / 2
        case let .oneCycle(maxLR, pctStart):
            let initial = maxLR / 25, final = initial / 1e4
            let warm = Float(pctStart) * Float(totalSteps) - 1
            let s = Float(step)
            func anneal(_ start: Float, _ end: Float, _ t: Float) -> Float {
                end + (start - end) / 2 * (1 + cos(Float.pi * min(max(t, 0), 1)))
            }
            if s <= warm { return anneal(initial, maxLR, warm > 0 ? s / warm : 1) }
            let down = Float(totalSteps) - 1 - warm
            return anneal(maxLR, final, down > 0 ? (s - warm) / down : 1)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
