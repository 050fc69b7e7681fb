import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `stepwise cache gc`: keeps the entries each workflow still needs and deletes the rest. Per workflow it keeps
/// what its latest N runs used, what its last successful full run (`all` or `--force`) used, and each step's
/// newest result (computed or read by any run since, even a failed, interrupted, `--from` or `--only` one), for
/// the steps the workflow has now. So neither a `--from` run (whose skipped steps it read from the cache) nor an
/// interrupted run (which finished only some steps) makes gc drop what the next full run would use. A sweep's
/// points count as workflows of their own (each has its runs and lock under the sweep's folder).
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

    /// Every folder whose runs keep cache entries, with the name its lock reports: each workflow's
    /// (`Outputs/<workflow>`) and each sweep point's (`Outputs/<workflow>/sweeps/<id>/points/<n>`, a run folder of
    /// its own), so what a sweep's points used is kept like what ordinary runs used.
    func runFolders() throws -> [(name: String, url: URL)] {
        let fm = FileManager.default
        func children(_ url: URL) -> [String] {
            ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        }
        var folders: [(name: String, url: URL)] = []
        for workflow in try workflows() {
            let url = outputs.appendingPathComponent(workflow, isDirectory: true)
            folders.append((workflow, url))
            let sweeps = url.appendingPathComponent("sweeps", isDirectory: true)
            for sweep in children(sweeps) {
                let points = sweeps.appendingPathComponent(sweep).appendingPathComponent("points", isDirectory: true)
                for point in children(points) {
                    let folder = points.appendingPathComponent(point, isDirectory: true)
                    if fm.fileExists(atPath: folder.appendingPathComponent("runs").path)
                        || fm.fileExists(atPath: folder.appendingPathComponent(".lock").path) {
                        folders.append(("\(workflow) (sweep \(sweep), point \(point))", folder))
                    }
                }
            }
        }
        return folders
    }

    /// The keys every workflow and sweep point still needs (see the type's comment). `keepRuns` nil: per folder,
    /// the N of its last `runs prune` (so gc keeps the entries of every run prune kept), else 1.
    public func keptKeys(keepRuns: Int?) throws -> Set<CacheKey> {
        try keptKeys(keepRuns: keepRuns, folders: runFolders())
    }

    func keptKeys(keepRuns: Int?, folders: [(name: String, url: URL)]) throws -> Set<CacheKey> {
        var kept = Set<CacheKey>()
        for folder in folders {
            let history = RunHistory(workflowURL: folder.url)
            let records = try history.records()
            let keep = keepRuns ?? RunRetention(history: history).stored ?? 1
            for record in RunRetention.kept(records, keep: keep) {
                kept.formUnion(record.usedKeys)
            }
            // Each current step's newest result; a step no longer in the workflow keeps nothing this way.
            let current = Set(records.last { !$0.steps.isEmpty }?.steps.map(\.name) ?? [])
            for (name, step) in try history.previousRun(steps: current)?.steps ?? [:] where current.contains(name) {
                kept.insert(step.key)
            }
        }
        return kept
    }

    /// Deletes every entry not kept, and what killed processes left behind (see `LeftoverSweeper`).
    /// Holds every workflow's and sweep point's lock meanwhile, so no run can be writing an entry its run.json does
    /// not list yet; throws `LockError` (code `.held`) if a run or a sweep's point is in progress.
    public func collect(keepRuns: Int? = nil, now: Date = Date()) throws -> CollectionReport {
        if let keepRuns, keepRuns < 1 {
            throw CacheError("--keep-runs must be at least 1 (got \(keepRuns)); to empty the cache delete \(outputs.path)/.cache")
        }
        var locks: [WorkflowLock] = []
        defer { locks.forEach { $0.release() } }
        // One listing for the locks, the kept keys and the leftovers, so every folder read is one whose lock is held.
        let folders = try runFolders()
        for folder in folders {
            locks.append(try WorkflowLock.acquire(workflow: folder.name, directory: folder.url))
        }
        let kept = try keptKeys(keepRuns: keepRuns, folders: folders)
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
        // Leftovers of killed writers: temporaries and staging folders under Outputs/, the workflows' and the sweep
        // points' run folders.
        let swept = LeftoverSweeper(outputs: outputs).sweep(locked: folders.map { RunHistory(workflowURL: $0.url) }, now: now)
        report.deleted += swept.removed.map { .init(name: URL(fileURLWithPath: $0.path).lastPathComponent, bytes: $0.bytes) }
        return report
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

    /// nil: each workflow's own (its last `runs prune --keep`, else 1).
    public var keepRuns: Int?
    public var kept = 0
    public var deleted: [Deleted] = []

    public init(keepRuns: Int?) {
        self.keepRuns = keepRuns
    }

    public var freedBytes: Int { deleted.reduce(0) { $0 + $1.bytes } }

    /// One line per deleted file, then a summary: `freed 45.2 MB in 3 entries; kept 5 (latest 1 run of each workflow)`.
    public var lines: [String] {
        let runs = switch keepRuns {
        case nil: "the runs `runs prune` kept, else the latest run"
        case 1: "latest run"
        case let n?: "latest \(n) runs"
        }
        return deleted.map { "deleted \($0.name) (\(ByteCount.format($0.bytes)))" }
            + ["freed \(ByteCount.format(freedBytes)) in \(deleted.count) \(deleted.count == 1 ? "file" : "files"); "
                + "kept \(kept) \(kept == 1 ? "entry" : "entries") (\(runs) of each workflow, its last successful "
                + "full run, each step's newest result)"]
    }
}
