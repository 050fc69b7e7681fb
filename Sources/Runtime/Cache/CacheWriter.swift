import Dispatch
import Foundation

/// Stores a run's cache entries on a background thread, one after another, while the following steps compute.
///
/// Packing a step's outputs, checksumming them and writing the file is then no part of the step's time: a step
/// that only moves tens of megabytes of images (loading MNIST) would otherwise spend a third of its time making
/// its cache entry. Entries are still written atomically (temporary file, then rename) and in submission order.
/// The run waits for every pending write before it records itself as finished, including when a later step
/// fails, so the steps before a failure stay cached.
final class CacheWriter: @unchecked Sendable {
    /// One finished write: the step, the entry's size on disk and the seconds it took.
    struct Stored: Sendable {
        var step: String
        var bytes: Int
        var seconds: Double
    }

    /// A write that failed; the step's results were used by this run but are not in the cache.
    struct Failure: Error, Sendable {
        var step: String
        var error: any Error
    }

    private let queue = DispatchQueue(label: "stepwise.cache-writer", qos: .utility)
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var stored: [Stored] = []
    private var failures: [Failure] = []

    /// Queues `write`, which returns the entry's size in bytes.
    func submit(step: String, _ write: @escaping @Sendable () throws -> Int) {
        queue.async(group: group) { [self] in
            let started = DispatchTime.now().uptimeNanoseconds
            let result = Result { try write() }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            lock.withLock {
                switch result {
                case .success(let bytes): stored.append(Stored(step: step, bytes: bytes, seconds: seconds))
                case .failure(let error): failures.append(Failure(step: step, error: error))
                }
            }
        }
    }

    /// The first write that has failed so far, without waiting for the others.
    var firstFailure: Failure? { lock.withLock { failures.first } }

    /// Waits for every queued write; returns what was stored and what failed since the last call.
    func finish() -> (stored: [Stored], failures: [Failure]) {
        group.wait()
        return lock.withLock {
            defer { stored = []; failures = [] }
            return (stored, failures)
        }
    }
}
