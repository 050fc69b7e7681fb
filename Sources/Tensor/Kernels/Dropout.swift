import CKernels

/// Inverted dropout with a counter-based mask: element `i` of a call keyed by `key` is dropped when a hash of
/// `(key, i)` falls below `p * 2^32`. The mask depends only on the key and the index, never on how the work
/// is split, so it is the same for every thread count and can be drawn on all cores at once. The hash is two
/// rounds of a 32-bit integer mixer (Wellons' "lowbias32") keyed by both halves of the key (`ck_dropout`).
public enum Dropout {
    /// Multiplies `x` in place by the mask (0 with probability `p`, otherwise `1 / (1 - p)`) and returns it.
    public static func forward(_ x: inout Tensor, p: Float, key: UInt64, threads: Int) -> [Float] {
        let n = x.count
        let keep = 1 / (1 - p)
        // The top 24 bits of each hash are compared with p * 2^24: below it, the element is dropped.
        let threshold = UInt32((Double(p) * 16_777_216).rounded())
        let (k0, k1) = (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32))
        var mask = [Float].unfilled(count: n)  // every element is written below
        // Shards start on multiples of 8 elements; each element's factor depends only on its index, so the mask
        // is the same for any split and any kernel path.
        let shards = Parallel.shards(count: (n + 7) / 8, parts: n >= 1 << 15 ? threads : 1)
        let path = KernelPath.current
        mask.withUnsafeMutableBufferPointer { mBuf in
            x.scalars.withUnsafeMutableBufferPointer { xBuf in
                guard n > 0 else { return }
                let m = SharedPointer(mBuf.baseAddress!), xs = SharedPointer(xBuf.baseAddress!)
                Parallel.run(shards.count) { s in
                    ck_dropout(path.code, xs.base, m.base, shards[s].lowerBound * 8, min(n, shards[s].upperBound * 8),
                               threshold, keep, k0, k1)
                }
            }
        }
        return mask
    }

    /// The gradient through dropout: `dy *= mask`, elementwise.
    public static func backward(_ dy: inout Tensor, mask: [Float]) {
        precondition(dy.count == mask.count, "dropout gradient of \(dy.count) elements, mask of \(mask.count)")
        dy.scalars.withUnsafeMutableBufferPointer { d in
            mask.withUnsafeBufferPointer { m in
                let (dp, mp) = (d.baseAddress!, m.baseAddress!)
                for j in 0..<d.count { dp[j] *= mp[j] }
            }
        }
    }

    /// The mask `forward` applies for `count` elements, without an input (for tests and inspection).
    public static func mask(count: Int, p: Float, key: UInt64) -> [Float] {
        var ones = Tensor(repeating: 1, shape: [count])
        return forward(&ones, p: p, key: key, threads: 1)
    }
}
