import Tensor

/// The state of an optimizer across steps: one or two moment buffers per trainable tensor, visited in the
/// fixed order of `Model.parameters` (layer by layer, weight then bias).
struct Optimizer: Sendable {
    let spec: OptimizerSpec
    private(set) var step = 0
    private var first: [[Float]] = []
    private var second: [[Float]] = []

    init(spec: OptimizerSpec) {
        self.spec = spec
    }

    mutating func update(_ parameters: inout [LayerParameters], gradients: [LayerParameters], lr: Float) {
        step += 1
        var slot = 0
        for i in parameters.indices {
            for key in LayerParameters.trainable {
                guard var p = parameters[i][keyPath: key], let g = gradients[i][keyPath: key] else { continue }
                parameters[i][keyPath: key] = nil  // leaves `p` the only owner, so the update does not copy
                if first.count <= slot {
                    first.append([Float](repeating: 0, count: p.count))
                    second.append([Float](repeating: 0, count: p.count))
                }
                apply(&p.scalars, g.scalars, &first[slot], &second[slot], lr: lr)
                parameters[i][keyPath: key] = p
                slot += 1
            }
        }
    }

    private func apply(_ p: inout [Float], _ grad: [Float], _ m: inout [Float], _ v: inout [Float], lr: Float) {
        let n = p.count
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
            for j in 0..<n {
                let g = grad[j] + l2 * p[j]
                m[j] = b1 * m[j] + (1 - b1) * g
                v[j] = b2 * v[j] + (1 - b2) * g * g
                p[j] -= stepSize * m[j] / (v[j].squareRoot() / bc2Root + eps)
            }
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
