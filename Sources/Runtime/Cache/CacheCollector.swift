import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `stepwise cache gc`: keeps the entries the latest N runs of each workflow used and deletes the rest.
public struct CacheCollector: Sendable {
    /// `Outputs`.
    public let outputs: URL

    public init(outputs: URL) {
        self.outputs = outputs
    }

    /// The workflows with runs or a lock under `outputs`: every folder holding `runs/` or `.lock`.
    public func workflows() throws -> [String] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: outputs.path) else { return [] }
        return try fm.contentsOfDirectory(atPath: outputs.path).sorted().filter { name in
            guard !name.hasPrefix(".") else { return false }
            let dir = outputs.appendingPathComponent(name, isDirectory: true)
            return fm.fileExists(atPath: dir.appendingPathComponent("runs").path)
                || fm.fileExists(atPath: dir.appendingPathComponent(".lock").path)
        }
    }

    /// The keys that the latest `keepRuns` runs of every workflow read or wrote.
    public func keptKeys(keepRuns: Int) throws -> Set<CacheKey> {
        var kept = Set<CacheKey>()
        for workflow in try workflows() {
            for record in try RunHistory(outputs: outputs, workflow: workflow).records().suffix(keepRuns) {
                kept.formUnion(record.usedKeys)
            }
        }
        return kept
    }

    /// Deletes every entry not kept, and temporary files older than an hour (left by killed writers).
    /// Holds every workflow's lock meanwhile, so no run can be writing an entry its run.json does not list yet;
    /// throws `LockError` (code `.held`) if a run is in progress.
    public func collect(keepRuns: Int = 1, now: Date = Date()) throws -> CollectionReport {
        guard keepRuns >= 1 else {
            throw CacheError("--keep-runs must be at least 1 (got \(keepRuns)); to empty the cache delete \(outputs.path)/.cache")
        }
        var locks: [WorkflowLock] = []
        defer { locks.forEach { $0.release() } }
        for workflow in try workflows() {
            locks.append(try WorkflowLock.acquire(workflow: workflow,
                                                  directory: outputs.appendingPathComponent(workflow, isDirectory: true)))
        }
        let kept = try keptKeys(keepRuns: keepRuns)
        let store = CacheStore(outputs: outputs)
        let described = Dictionary((try store.entries()).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var report = CollectionReport(keepRuns: keepRuns)
        for url in try store.entryFiles() {
            let name = url.deletingPathExtension().lastPathComponent
            if let key = CacheKey(hex: name), kept.contains(key) {
                report.kept += 1
                continue
            }
            let size = fileSize(url)
            guard unlink(url.path) == 0 else {
                throw CacheError("cannot delete \(url.path): \(String(cString: strerror(errno)))")
            }
            let info = CacheKey(hex: name).flatMap { described[$0] }
            report.deleted.append(.init(name: info.map { "\($0.key.prefix) \($0.workflow)/\($0.step)" } ?? url.lastPathComponent,
                                        bytes: size))
        }
        for url in try temporaryFiles(olderThan: now.addingTimeInterval(-3600), in: store) {
            let size = fileSize(url)
            if unlink(url.path) == 0 { report.deleted.append(.init(name: url.lastPathComponent, bytes: size)) }
        }
        return report
    }

    private func temporaryFiles(olderThan cutoff: Date, in store: CacheStore) throws -> [URL] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: store.objects.path) else { return [] }
        var result: [URL] = []
        for shard in try fm.contentsOfDirectory(atPath: store.objects.path) {
            let dir = store.objects.appendingPathComponent(shard, isDirectory: true)
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                let url = dir.appendingPathComponent(name)
                if let modified = try? fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date, modified < cutoff {
                    result.append(url)
                }
            }
        }
        return result
    }

    private func fileSize(_ url: URL) -> Int {
        var st = stat()
        return stat(url.path, &st) == 0 ? Int(st.st_size) : 0
    }
}

/// What `cache gc` did.
public struct CollectionReport: Sendable, Equatable {
    public struct Deleted: Sendable, Equatable {
        public var name: String
        public var bytes: Int
    }

    public var keepRuns: Int
    public var kept = 0
    public var deleted: [Deleted] = []

    public init(keepRuns: Int) {
        self.keepRuns = keepRuns
    }

    public var freedBytes: Int { deleted.reduce(0) { $0 + $1.bytes } }

    /// One line per deleted file, then a summary: `freed 45.2 MB in 3 entries; kept 5 (latest 1 run of each workflow)`.
    public var lines: [String] {
        let runs = keepRuns == 1 ? "latest run" : "latest \(keepRuns) runs"
        return deleted.map { "deleted \($0.name) (\(ByteCount.format($0.bytes)))" }
            + ["freed \(ByteCount.format(freedBytes)) in \(deleted.count) \(deleted.count == 1 ? "file" : "files"); "
                + "kept \(kept) \(kept == 1 ? "entry" : "entries") (\(runs) of each workflow)"]
    }
}
