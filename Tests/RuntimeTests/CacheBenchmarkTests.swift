import Foundation
import Runtime
import Tensor
import Testing

/// Not a timed test: measures writing and reading+verifying an entry the size of MNIST's training images
/// (60000x28x28 U8) and prints the numbers. Run it in release mode with scripts/bench-cache.sh.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["STEPWISE_BENCH"] != nil,
                "benchmark: set STEPWISE_BENCH=1 (scripts/bench-cache.sh runs it in release mode)"))
struct CacheBenchmarkTests {
    @Test func mnistSizedEntry() throws {
        let dir = try TemporaryDirectory()
        let store = CacheStore(outputs: dir.url)
        var generator = SeededGenerator(seed: 42)
        var pixels = [UInt8](repeating: 0, count: 60000 * 28 * 28)
        for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: generator.next()) }
        var container = SafeTensors()
        container.set("images", bytes: pixels, shape: [60000, 28, 28])
        container.set("labels", int32: (0..<60000).map { Int32($0 % 10) }, shape: [60000])
        let outputs = CachedOutputs(tensors: container.entries, metadata: ["count": "60000"])
        let key = CacheKey(fingerprint: StepFingerprint(text: "bench"), inputKeys: [], runnerVersion: "bench")

        var writes: [Double] = []
        var reads: [Double] = []
        for _ in 0..<7 {
            var start = DispatchTime.now().uptimeNanoseconds
            try store.store(outputs, key: key, step: "load", workflow: "bench", runID: "bench")
            writes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)

            start = DispatchTime.now().uptimeNanoseconds
            guard case .hit(let loaded, _) = store.load(key) else {
                Issue.record("the entry just written did not verify")
                return
            }
            reads.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            #expect(loaded.tensors["images"]?.data.count == pixels.count)
        }
        let hashStart = DispatchTime.now().uptimeNanoseconds
        let checksum = XXHash64.hash(pixels)
        let hashMs = Double(DispatchTime.now().uptimeNanoseconds - hashStart) / 1e6
        func summary(_ values: [Double]) -> String {
            let sorted = values.sorted()
            return String(format: "min %.1f ms, median %.1f ms", sorted[0], sorted[sorted.count / 2])
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: store.url(for: key).path)[.size] as? Int) ?? 0
        print("cache bench: entry \(ByteCount.format(size)) (60000x28x28 U8 + 60000 I32)")
        print("cache bench: write (serialize + checksum + fsync + rename): \(summary(writes))")
        print("cache bench: read + verify (mmap + parse + XXH64 of all tensors): \(summary(reads))")
        print(String(format: "cache bench: XXH64 of 47 MB in memory: %.1f ms (%.1f GB/s) [%016llx]",
                     hashMs, Double(pixels.count) / hashMs / 1e6, checksum))
    }
}
