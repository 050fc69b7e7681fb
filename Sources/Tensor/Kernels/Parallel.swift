import CBLAS
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Fixed work splitting across threads.
///
/// Every parallel kernel splits its batch into the same contiguous shards for a given size and thread count,
/// and reduces per-shard partial sums in shard order, so a run's results depend only on the thread count,
/// never on scheduling.
public enum Parallel {
    /// `count` items cut into at most `parts` contiguous, non-empty ranges; the first `count % parts` get one more.
    public static func shards(count: Int, parts: Int) -> [Range<Int>] {
        let parts = max(1, min(parts, count))
        guard count > 0 else { return [] }
        let base = count / parts, extra = count % parts
        var ranges: [Range<Int>] = []
        var start = 0
        for i in 0..<parts {
            let n = base + (i < extra ? 1 : 0)
            ranges.append(start..<(start + n))
            start += n
        }
        return ranges
    }

    /// Runs `body(i)` for `i` in `0..<iterations`, on up to that many threads; inline when there is one.
    public static func run(_ iterations: Int, _ body: @Sendable (Int) -> Void) {
        if iterations <= 1 {
            if iterations == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    }

    /// Makes OpenBLAS single-threaded: Stepwise parallelises over batch shards itself, one BLAS thread per
    /// shard, which is both faster for these matrix sizes and keeps the arithmetic order fixed.
    public static func useSingleThreadedBLAS() {
        openblas_set_num_threads(1)
    }

    /// Keeps freed activation buffers in the heap instead of returning them to the kernel. Every training
    /// step allocates and frees the same few multi-megabyte arrays; glibc would otherwise map and unmap them
    /// each time, and the page faults on fresh zero pages cost more than a tenth of the step.
    public static func retainFreedMemory() {
        #if canImport(Glibc)
        // <malloc.h> is not part of the Glibc module; look `mallopt` up at run time instead.
        typealias MalloptFunction = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MalloptFunction.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 32 << 20)
        _ = mallopt(trimThreshold, 256 << 20)
        #endif
    }
}

/// A raw pointer that parallel kernels hand to their shard closures; each shard writes a disjoint region.
package struct SharedPointer<Element>: @unchecked Sendable {
    package let base: UnsafeMutablePointer<Element>
    package init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    @inline(__always) package subscript(offset: Int) -> UnsafeMutablePointer<Element> { base + offset }
}

/// A read-only raw pointer shared with shard closures.
package struct SharedReadPointer<Element>: @unchecked Sendable {
    package let base: UnsafePointer<Element>
    package init(_ base: UnsafePointer<Element>) { self.base = base }
    @inline(__always) package subscript(offset: Int) -> UnsafePointer<Element> { base + offset }
}
