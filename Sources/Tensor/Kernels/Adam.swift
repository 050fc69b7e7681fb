import CKernels

/// The Adam update of one contiguous range of a parameter tensor, vectorised per kernel path.
package enum Adam {
    /// `g = grad + l2 * p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g; p -= stepSize * m / (sqrt(v) / bc2Root + eps)`,
    /// in that order of operations and without fused multiply-adds, so every path gives the same bits.
    @inline(__always)
    package static func update(path: KernelPath, _ p: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>,
                               _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, count: Int,
                               b1: Float, b2: Float, l2: Float, stepSize: Float, bc2Root: Float, eps: Float) {
        ck_adam(path.code, p, grad, m, v, count, b1, b2, l2, stepSize, bc2Root, eps)
    }
}
