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

    /// One step over every trainable tensor. Large tensors are split into `threads` contiguous element ranges;
    /// each element's update depends only on its own values, so the result does not depend on the split.
    mutating func update(_ parameters: inout [LayerParameters], gradients: [LayerParameters], lr: Float,
                         threads: Int = 1) {
        step += 1
        var slot = 0
        for i in parameters.indices {
            for k in parameters[i].entries.indices where parameters[i].entries[k].trainable {
                guard let g = gradients[i][parameters[i].entries[k].name] else { continue }
                var p = parameters[i].entries[k].tensor
                parameters[i].entries[k].tensor = Tensor(zeros: [0])  // leaves `p` the only owner: no copy
                if first.count <= slot {
                    first.append([Float](repeating: 0, count: p.count))
                    second.append([Float](repeating: 0, count: p.count))
                }
                let (spec, step, path) = (spec, step, KernelPath.current)
                let parts = p.count >= 1 << 16 ? threads : 1
                p.scalars.withUnsafeMutableBufferPointer { pBuf in
                    g.scalars.withUnsafeBufferPointer { gBuf in
                        first[slot].withUnsafeMutableBufferPointer { mBuf in
                            second[slot].withUnsafeMutableBufferPointer { vBuf in
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
                parameters[i].entries[k].tensor = p
                slot += 1
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
