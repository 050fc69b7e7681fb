import Tensor

/// The state of an optimizer across steps: one or two moment buffers per trainable tensor, visited in the
/// fixed order of `Model.parameters` (layer by layer, each layer's trainable tensors in order).
struct Optimizer: Sendable {
    let spec: OptimizerSpec
    private(set) var step = 0
    private var first: [[Float]] = []
    private var second: [[Float]] = []

    init(spec: OptimizerSpec) {
        self.spec = spec
    }

    /// One step over every trainable tensor of `parameters`, in `Model.parameters` order, with weight decay where
    /// the layer asks for it (`LayerParameters.Entry.decays`).
    mutating func update(_ parameters: inout [LayerParameters], gradients: [LayerParameters], lr: Float,
                         threads: Int = 1) {
        step += 1
        var slot = 0
        for i in parameters.indices {
            for k in parameters[i].entries.indices where parameters[i].entries[k].trainable {
                guard let g = gradients[i][parameters[i].entries[k].name] else { continue }
                var p = parameters[i].entries[k].tensor
                parameters[i].entries[k].tensor = Tensor(zeros: [0])  // leaves `p` the only owner: no copy
                update(&p, gradient: g, slot: slot, decays: parameters[i].entries[k].decays, lr: lr, threads: threads)
                parameters[i].entries[k].tensor = p
                slot += 1
            }
        }
    }

    /// One step over a list of trainable tensors, always passed in the same order. `decays[i]` says whether
    /// weight decay applies to tensor `i` (as PyTorch parameter groups with `weight_decay=0`: ViT recipes exempt
    /// biases, norm weights, the class token and the position embedding). For a tensor without decay the update is
    /// the optimizer's rule with `weightDecay` 0.
    mutating func update(_ tensors: inout [Tensor], gradients: [Tensor], decays: [Bool], lr: Float, threads: Int = 1) {
        precondition(tensors.count == gradients.count && tensors.count == decays.count,
                     "\(tensors.count) tensors, \(gradients.count) gradients, \(decays.count) decay flags")
        step += 1
        for i in tensors.indices {
            var p = tensors[i]
            tensors[i] = Tensor(zeros: [0])  // leaves `p` the only owner, so the update does not copy
            update(&p, gradient: gradients[i], slot: i, decays: decays[i], lr: lr, threads: threads)
            tensors[i] = p
        }
    }

    /// The current step's update of the tensor in moment slot `slot`. Large tensors are split into `threads`
    /// contiguous element ranges; each element's update depends only on its own values, so the result does not
    /// depend on the split.
    private mutating func update(_ p: inout Tensor, gradient g: Tensor, slot: Int, decays: Bool, lr: Float,
                                 threads: Int) {
        precondition(g.count == p.count, "gradient of \(g.count) values for a tensor of \(p.count)")
        while first.count <= slot {
            first.append([])
            second.append([])
        }
        if first[slot].isEmpty {
            first[slot] = [Float](repeating: 0, count: p.count)
            second[slot] = [Float](repeating: 0, count: p.count)
        }
        precondition(first[slot].count == p.count, "tensor \(slot) changed size between steps")
        let (spec, step, path) = (decays ? spec : spec.withoutWeightDecay, step, KernelPath.current)
        let parts = p.count >= 1 << 16 ? threads : 1
        p.scalars.withUnsafeMutableBufferPointer { pBuf in
            g.scalars.withUnsafeBufferPointer { gBuf in
                first[slot].withUnsafeMutableBufferPointer { mBuf in
                    second[slot].withUnsafeMutableBufferPointer { vBuf in
                        guard pBuf.count > 0 else { return }
                        let pp = SharedPointer(pBuf.baseAddress!), gp = SharedReadPointer(gBuf.baseAddress!)
                        let mp = SharedPointer(mBuf.baseAddress!), vp = SharedPointer(vBuf.baseAddress!)
                        let shards = Parallel.shards(count: pBuf.count, parts: parts)
                        Parallel.run(shards.count) { s in
                            let r = shards[s]
                            Self.apply(spec, step: step, path: path, pp[r.lowerBound], gp[r.lowerBound], mp[r.lowerBound],
                                       vp[r.lowerBound], count: r.count, lr: lr)
                        }
                    }
                }
            }
        }
    }

    private static func apply(_ spec: OptimizerSpec, step: Int, path: KernelPath, _ p: UnsafeMutablePointer<Float>,
                              _ grad: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                              _ v: UnsafeMutablePointer<Float>, count n: Int, lr: Float) {
        switch spec {
        case let .sgd(_, momentum, nesterov, wd):
            for j in 0..<n {
                var g = grad[j] + wd * p[j]
                if momentum != 0 {
                    m[j] = step == 1 ? g : momentum * m[j] + g
                    g = nesterov ? g + momentum * m[j] : m[j]
                }
                p[j] -= lr * g
            }
        case let .adam(_, b1, b2, eps, wd), let .adamw(_, b1, b2, eps, wd):
            let decoupled: Bool = if case .adamw = spec { true } else { false }
            let bc1 = 1 - pow(b1, Float(step)), bc2 = 1 - pow(b2, Float(step))
            let stepSize = lr / bc1, bc2Root = bc2.squareRoot()
            // Decoupled decay first, as a separate pass, keeps the update loop free of branches.
            if decoupled && wd != 0 {
                let shrink = 1 - lr * wd
                for j in 0..<n { p[j] *= shrink }
            }
            let l2: Float = decoupled ? 0 : wd
            // Vectorised per kernel path; no fused multiply-adds, so every path gives the same bits.
            Adam.update(path: path, p, grad, m, v, count: n, b1: b1, b2: b2, l2: l2, stepSize: stepSize,
                        bc2Root: bc2Root, eps: eps)
        case let .adadelta(_, rho, eps, wd):
            // m: running mean of squared gradients; v: running mean of squared updates.
            for j in 0..<n {
                let g = grad[j] + wd * p[j]
                m[j] = rho * m[j] + (1 - rho) * g * g
                let delta = (v[j] + eps).squareRoot() / (m[j] + eps).squareRoot() * g
                v[j] = rho * v[j] + (1 - rho) * delta * delta
                p[j] -= lr * delta
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
