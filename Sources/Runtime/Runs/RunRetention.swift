import Foundation
import Tensor

/// Which runs of a workflow are kept: its newest N, and its last successful full run (`all` or `--force`), which
/// a later `--only` or failed run never pushes out. `stepwise runs prune --keep N` deletes the folders of the
/// others; `cache gc` keeps the cache entries of these runs. Both use this one rule, and prune stores its N in
/// `runs/retention`, which is `cache gc`'s default for the workflow.
public struct RunRetention: Sendable {
    public let history: RunHistory

    public init(history: RunHistory) {
        self.history = history
    }

    var storedURL: URL { history.runsURL.appendingPathComponent("retention") }

    /// The N the last `runs prune` used, if any.
    public var stored: Int? {
        (try? String(contentsOf: storedURL, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The records kept of `records` (oldest first), oldest first.
    public static func kept(_ records: [RunRecord], keep: Int) -> [RunRecord] {
        var ids = Set(records.suffix(keep).map(\.id))
        if let full = lastFullSuccess(records) { ids.insert(full.id) }
        return records.filter { ids.contains($0.id) }
    }

    public static func lastFullSuccess(_ records: [RunRecord]) -> RunRecord? {
        records.last { $0.status == .succeeded && ($0.mode == "all" || $0.mode == "force") }
    }

    /// Deletes the run folders of the runs not kept, under the workflow's lock (throws `LockError` `.held` while
    /// a run is live), and stores `keep` for `cache gc`. Every run keeps its line in the index. Returns the ids
    /// of the folders deleted, oldest first.
    public func prune(keep: Int) throws -> [String] {
        guard keep >= 1 else { throw CacheError("--keep must be at least 1 (got \(keep))") }
        let lock = try WorkflowLock.acquire(workflow: history.workflowURL.lastPathComponent, directory: history.workflowURL)
        defer { lock.release() }
        let records = try history.records()
        let kept = Set(Self.kept(records, keep: keep).map(\.id))
        var removed: [String] = []
        for record in records where !kept.contains(record.id) {
            let folder = history.runsURL.appendingPathComponent(Timestamp.folderName(forID: record.id), isDirectory: true)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("run.json").path) else { continue }
            try FileManager.default.removeItem(at: folder)
            removed.append(record.id)
        }
        try AtomicFile.write("\(keep)\n", to: storedURL)
        return removed
    }
}
