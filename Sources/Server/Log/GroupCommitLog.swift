import Foundation
import Synchronization

/// A prediction log whose inserts from concurrent requests are committed together: each insert joins a queue,
/// and one writer at a time takes everything queued (up to `maxBatch`) into one multi-row insert, one commit.
/// An insert returns once its row is committed, so a feedback for an id just answered always finds it and a
/// failed write still fails the request that made it; under load one commit serves many requests, and with one
/// request at a time it is written at once. Everything else goes straight to the store.
package final class GroupCommitLog: PredictionLog {
    private struct Job {
        var entry: LoggedPrediction
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Queue {
        var jobs: [Job] = []
        var writing = false
    }

    package let store: any PredictionLog
    private let queue = Mutex(Queue())
    private let maxBatch: Int

    package init(_ store: any PredictionLog, maxBatch: Int = 256) {
        self.store = store
        self.maxBatch = maxBatch
    }

    package var kind: String { store.kind }

    package func insert(_ entries: [LoggedPrediction]) async throws {
        guard entries.count == 1, let entry = entries.first else {
            try await store.insert(entries)
            return
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = queue.withLock { q -> Bool in
                q.jobs.append(Job(entry: entry, continuation: continuation))
                if q.writing { return false }
                q.writing = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    /// Writes batches until the queue is empty; the last one out clears `writing` under the lock, so a row queued
    /// meanwhile is never left waiting.
    private func drain() async {
        while true {
            let batch = queue.withLock { q -> [Job] in
                guard !q.jobs.isEmpty else {
                    q.writing = false
                    return []
                }
                let taken = Array(q.jobs.prefix(maxBatch))
                q.jobs.removeFirst(taken.count)
                return taken
            }
            guard !batch.isEmpty else { return }
            do {
                try await store.insert(batch.map(\.entry))
                for job in batch { job.continuation.resume() }
            } catch {
                for job in batch { job.continuation.resume(throwing: error) }
            }
        }
    }

    package func migrate() async throws -> Int { try await store.migrate() }
    package func entry(id: String) async throws -> LoggedPrediction? { try await store.entry(id: id) }
    package func setVerdict(id: String, verdict: Verdict, trueLabel: Int, at date: Date) async throws -> Bool {
        try await store.setVerdict(id: id, verdict: verdict, trueLabel: trueLabel, at: date)
    }
    package func count() async throws -> Int { try await store.count() }
    package func answered() async throws -> [AnsweredPrediction] { try await store.answered() }
    package func recent(limit: Int) async throws -> [LoggedPrediction] { try await store.recent(limit: limit) }
    package func close() async throws { try await store.close() }
}
