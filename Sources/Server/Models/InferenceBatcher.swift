import Foundation
import NIOPosix
import Runtime
import Synchronization

/// Runs the model on concurrent requests together: each request's prepared digit joins a queue, and one drain
/// loop on the blocking thread pool takes everything queued (up to `maxBatch`) into one forward pass, so that
/// under load the cost of a pass is shared, and with one request at a time it runs at once. Each job carries the
/// `ServedModel` its request got; a batch holds jobs of one model only, so an answer never mixes two models.
final class InferenceBatcher: Sendable {
    struct Job {
        var prepared: Predictor.Prepared
        var model: ServedModel
        var continuation: CheckedContinuation<Prediction, any Error>
    }

    private struct Queue {
        var jobs: [Job] = []
        var draining = false
    }

    private let queue = Mutex(Queue())
    private let pool: NIOThreadPool
    private let maxBatch: Int
    private let threads: Int

    init(pool: NIOThreadPool, maxBatch: Int = 64, threads: Int = 2) {
        self.pool = pool
        self.maxBatch = maxBatch
        self.threads = threads
    }

    func classify(_ prepared: Predictor.Prepared, model: ServedModel) async throws -> Prediction {
        try await withCheckedThrowingContinuation { continuation in
            let start = queue.withLock { q -> Bool in
                q.jobs.append(Job(prepared: prepared, model: model, continuation: continuation))
                if q.draining { return false }
                q.draining = true
                return true
            }
            if start { pool.submit { _ in self.drain() } }
        }
    }

    /// Takes batches until the queue is empty; the last one out clears `draining` under the lock, so a job
    /// queued meanwhile is never left waiting.
    private func drain() {
        while true {
            let batch = queue.withLock { q -> [Job] in
                guard let first = q.jobs.first else {
                    q.draining = false
                    return []
                }
                let same = q.jobs.prefix(maxBatch).prefix { $0.model === first.model }
                q.jobs.removeFirst(same.count)
                return Array(same)
            }
            guard let model = batch.first?.model else { return }
            do {
                let predictions = try Predictor.classify(batch.map(\.prepared), model: model.model,
                                                         modelPath: "the served model", batchSize: maxBatch,
                                                         threads: batch.count > 1 ? threads : 1)
                for (job, prediction) in zip(batch, predictions) { job.continuation.resume(returning: prediction) }
            } catch {
                for job in batch { job.continuation.resume(throwing: error) }
            }
        }
    }
}
