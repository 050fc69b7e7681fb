extension Tensor {
    /// A tensor of `shape` whose elements are all written by `initializer` (which receives the uninitialised
    /// buffer): saves zero-filling large activations that a kernel overwrites anyway.
    @inlinable
    public init(shape: [Int], uninitialized initializer: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            initializer(buffer)
            initialized = count
        }
        self.init(shape: shape, scalars: scalars)
    }
}

extension Array where Element == Float {
    /// An array of `count` floats whose contents are unspecified: for kernel outputs that are written in full
    /// before anything reads them, to save zero-filling megabytes per training step.
    @inlinable
    package static func unfilled(count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}

/// Unaligned 8-float loads and stores for the hand-vectorised loops (kernels, dropout, optimizers).
extension UnsafePointer where Pointee == Float {
    @inlinable @inline(__always)
    package func loadVector() -> SIMD8<Float> { UnsafeRawPointer(self).loadUnaligned(as: SIMD8<Float>.self) }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inlinable @inline(__always)
    package func loadVector() -> SIMD8<Float> { UnsafeRawPointer(self).loadUnaligned(as: SIMD8<Float>.self) }

    @inlinable @inline(__always)
    package func storeVector(_ v: SIMD8<Float>) { UnsafeMutableRawPointer(self).storeBytes(of: v, as: SIMD8<Float>.self) }

    /// `self[i] += source[i]` for `i < count`, eight at a time (each element is one add, so the result does not
    /// depend on the vector width).
    @inlinable @inline(__always)
    package func add(_ source: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            (self + i).storeVector((self + i).loadVector() + (source + i).loadVector())
            i += 8
        }
        while i < count {
            self[i] += source[i]
            i += 1
        }
    }
}
