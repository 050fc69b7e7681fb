/// Inverted dropout with a counter-based mask: element `i` of a call keyed by `key` is dropped when a hash of
/// `(key, i)` falls below `p * 2^32`. The mask depends only on the key and the index, never on how the work
/// is split, so it is the same for every thread count and can be drawn on all cores at once.
public enum Dropout {
    /// Multiplies `x` in place by the mask (0 with probability `p`, otherwise `1 / (1 - p)`) and returns it.
    public static func forward(_ x: inout Tensor, p: Float, key: UInt64, threads: Int) -> [Float] {
        let n = x.count
        let keep = 1 / (1 - p)
        // The top 24 bits of each hash are compared with p * 2^24: below it, the element is dropped.
        let threshold = SIMD8<UInt32>(repeating: UInt32((Double(p) * 16_777_216).rounded()))
        let keepBits = SIMD8<UInt32>(repeating: keep.bitPattern)
        let (k0, k1) = (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32))
        var mask = [Float].unfilled(count: n)  // every element is written below
        // Shards start on multiples of 8, so every vector of indices is whole and the same for any split.
        let vectors = (n + 7) / 8
        let shards = Parallel.shards(count: vectors, parts: n >= 1 << 15 ? threads : 1)
        mask.withUnsafeMutableBufferPointer { mBuf in
            x.scalars.withUnsafeMutableBufferPointer { xBuf in
                let m = SharedPointer(mBuf.baseAddress!), xs = SharedPointer(xBuf.baseAddress!)
                Parallel.run(shards.count) { s in
                    let lanes = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
                    for v in shards[s] {
                        let i = v * 8
                        let bits = hash(SIMD8<UInt32>(repeating: UInt32(truncatingIfNeeded: i)) &+ lanes, k0, k1)
                        // Integer arithmetic only (a lane-wise comparison would not vectorise): the
                        // difference wraps around, setting its top bit, exactly when the element is dropped.
                        let dropped = SIMD8<UInt32>() &- (((bits &>> 8) &- threshold) &>> 31)
                        let factors = unsafeBitCast(keepBits & ~dropped, to: SIMD8<Float>.self)
                        if i + 8 <= n {
                            m[i].storeVector(factors)
                            xs[i].storeVector(xs[i].loadVector() * factors)
                        } else {
                            for lane in 0..<(n - i) {
                                m[i][lane] = factors[lane]
                                xs[i][lane] *= factors[lane]
                            }
                        }
                    }
                }
            }
        }
        return mask
    }

    /// The mask `forward` applies for `count` elements, without an input (for tests and inspection).
    public static func mask(count: Int, p: Float, key: UInt64) -> [Float] {
        var ones = Tensor(repeating: 1, shape: [count])
        return forward(&ones, p: p, key: key, threads: 1)
    }

    /// Two rounds of a 32-bit integer mixer (Wellons' "lowbias32"), keyed by both halves of the key.
    @inline(__always)
    static func hash(_ counter: SIMD8<UInt32>, _ k0: UInt32, _ k1: UInt32) -> SIMD8<UInt32> {
        @inline(__always) func mix(_ v: SIMD8<UInt32>) -> SIMD8<UInt32> {
            var x = v
            x ^= x &>> 16
            x &*= 0x7FEB_352D
            x ^= x &>> 15
            x &*= 0x846C_A68B
            x ^= x &>> 16
            return x
        }
        return mix(mix(counter ^ SIMD8(repeating: k0)) &+ SIMD8(repeating: k1))
    }
}
