import Foundation
import StepDSL
import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// Clears what killed processes left behind, at the start of the next run (and in `cache gc`):
/// - `AtomicFile` temporaries anywhere under Outputs/ (`.<name>.<pid>@<host>.<random>.tmp`),
/// - feedback staging folders (`.staging-<hash>-<pid>-<random>`) in the feedback folders and under Outputs/,
/// - run folders of the locked workflows without a run.json (a run killed between mkdir and its first write),
/// - run.json files of the locked workflows still saying `running`: marked `interrupted`.
///
/// The workflow lock says no run of that workflow is live, which covers its run folders. Temporaries and
/// staging folders can belong to anything (another workflow, `feedback`, `serve`, `cache gc`), so one is
/// removed only if it is older than `maximumAge`, or older than `minimumAge` and the process whose pid its
/// name carries is not running.
public struct LeftoverSweeper: Sendable {
    /// `Outputs`.
    public let outputs: URL
    /// Folders whose `.staging-*` children are swept too (incorrect_predictions/ and the like).
    public let stagingFolders: [URL]
    public var minimumAge: TimeInterval = 60
    public var maximumAge: TimeInterval = 3600

    public init(outputs: URL, stagingFolders: [URL] = []) {
        self.outputs = outputs
        self.stagingFolders = stagingFolders
    }

    /// What one sweep removed or repaired.
    public struct Report: Sendable, Equatable {
        public struct Removed: Sendable, Equatable {
            public enum Kind: Sendable, Equatable { case temporaryFile, stagingFolder, runFolder }
            public var kind: Kind
            public var path: String
            public var bytes: Int
        }

        public var removed: [Removed] = []
        /// Ids of runs found `running` and marked `interrupted`.
        public var markedInterrupted: [String] = []

        public var isEmpty: Bool { removed.isEmpty && markedInterrupted.isEmpty }

        /// For the run's log: what was swept, in one line, and one line per run marked interrupted.
        public var lines: [String] {
            var lines: [String] = []
            let counts: [(Removed.Kind, String, String)] = [
                (.temporaryFile, "temporary file", "temporary files"),
                (.stagingFolder, "staging folder", "staging folders"),
                (.runFolder, "run folder without run.json", "run folders without run.json"),
            ]
            let parts = counts.compactMap { kind, one, many -> String? in
                let n = removed.filter { $0.kind == kind }.count
                return n == 0 ? nil : "\(n) \(n == 1 ? one : many)"
            }
            if !parts.isEmpty {
                lines.append("swept leftovers of killed runs: \(parts.joined(separator: ", ")) "
                    + "(\(ByteCount.format(removed.reduce(0) { $0 + $1.bytes })))")
            }
            lines += markedInterrupted.map { "run \($0) was still marked running (its process was killed): marked interrupted" }
            return lines
        }
    }

    /// Sweeps Outputs/ and the staging folders; the run folders of `lockedWorkflows` only, whose locks the
    /// caller holds. Best effort: what cannot be removed is left for the next time.
    public func sweep(lockedWorkflows: [String], now: Date = Date()) -> Report {
        sweep(locked: lockedWorkflows.map { RunHistory(outputs: outputs, workflow: $0) }, now: now)
    }

    /// The same, with the run folders of `locked` (each a workflow's or a sweep point's runs) whose locks the
    /// caller holds.
    public func sweep(locked: [RunHistory], now: Date = Date()) -> Report {
        var report = Report()
        sweepTree(outputs, now: now, into: &report)
        for folder in stagingFolders where folder.standardizedFileURL.path != outputs.standardizedFileURL.path {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            where name.hasPrefix(".staging-") {
                consider(folder.appendingPathComponent(name), name: name, isDirectory: true, now: now, into: &report)
            }
        }
        for history in locked {
            sweepRuns(of: history, now: now, into: &report)
        }
        return report
    }

    /// Temporaries and staging folders anywhere under `root`.
    private func sweepTree(_ root: URL, now: Date, into report: inout Report) {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey]) else { return }
        for case let url as URL in walker {
            let name = url.lastPathComponent
            guard name.hasPrefix(".") else { continue }
            let isDirectory = (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true
            if isDirectory && name.hasPrefix(".staging-") {
                walker.skipDescendants()
                consider(url, name: name, isDirectory: true, now: now, into: &report)
            } else if !isDirectory && name.hasSuffix(".tmp") {
                consider(url, name: name, isDirectory: false, now: now, into: &report)
            }
        }
    }

    private func consider(_ url: URL, name: String, isDirectory: Bool, now: Date, into report: inout Report) {
        let pid = isDirectory ? Self.writerPID(ofStaging: name) : Self.writerPID(ofTemporary: name)
        guard let modified = Self.modified(url), isAbandoned(modified: modified, writer: pid, now: now) else { return }
        let bytes = Self.size(of: url)
        guard (try? FileManager.default.removeItem(at: url)) != nil else { return }
        report.removed.append(.init(kind: isDirectory ? .stagingFolder : .temporaryFile, path: url.path, bytes: bytes))
    }

    /// Old enough, and either very old or written by a process that no longer runs.
    func isAbandoned(modified: Date, writer pid: Int32?, now: Date) -> Bool {
        let age = now.timeIntervalSince(modified)
        if age >= maximumAge { return true }
        guard age >= minimumAge, let pid else { return false }
        return !Self.isRunning(pid)
    }

    /// Run folders without run.json, and run.json files still `running`. Only for a workflow whose lock is held.
    private func sweepRuns(of history: RunHistory, now: Date, into report: inout Report) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: history.runsURL.path))?.sorted() ?? [] where !name.hasPrefix(".") {
            let folder = history.runsURL.appendingPathComponent(name, isDirectory: true)
            var isDirectory: ObjCBool = false
            // index.jsonl and the like are files beside the run folders, not runs.
            guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let recordURL = folder.appendingPathComponent("run.json")
            guard fm.fileExists(atPath: recordURL.path) else {
                // A refused run writes its run.json right after making its folder: leave young folders alone.
                guard let modified = Self.modified(folder), now.timeIntervalSince(modified) >= minimumAge else { continue }
                let bytes = Self.size(of: folder)
                if (try? fm.removeItem(at: folder)) != nil {
                    report.removed.append(.init(kind: .runFolder, path: folder.path, bytes: bytes))
                }
                continue
            }
            guard let data = try? Data(contentsOf: recordURL),
                  var record = try? JSONDecoder().decode(RunRecord.self, from: data), record.status == .running
            else { continue }
            record.status = .interrupted
            record.error = record.error ?? "its process ended without recording how (killed, or stopped twice); "
                + "found by the next run of \(record.workflow)"
            for i in record.steps.indices where record.steps[i].outcome == .planned && record.steps[i].action == "run" {
                // What was running when it died; steps after it never started and stay `planned`.
                record.steps[i].outcome = .interrupted
                break
            }
            if (try? RunDirectory(url: folder, record: record).save()) != nil {
                report.markedInterrupted.append(record.id)
                // It never wrote its index line: this is its end.
                try? RunIndex(history: history).append(RunIndex.entry(for: record, metrics: nil, commit: nil, folder: true))
            }
        }
    }

    /// `.<name>.<pid>@<host>.<random>.tmp`, as `AtomicFile` names its temporaries (earlier: without `@<host>`).
    /// Another host's pid says nothing here (a shared file system): nil, so only the age counts.
    static func writerPID(ofTemporary name: String) -> Int32? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts.last == "tmp" else { return nil }
        let writer = parts[parts.count - 3].split(separator: "@", maxSplits: 1)
        guard writer.count == 1 || writer[1] == AtomicFile.hostTag else { return nil }
        return writer.first.flatMap { Int32($0) }
    }

    /// `.staging-<hash>-<pid>-<random>`, as `FeedbackStore` names its staging folders.
    static func writerPID(ofStaging name: String) -> Int32? {
        let parts = name.split(separator: "-")
        guard parts.count >= 4 else { return nil }
        return Int32(parts[parts.count - 2])
    }

    /// True if a process with this pid exists on this machine (owned by anyone).
    static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    private static func modified(_ url: URL) -> Date? {
        var st = stat()
        guard lstat(url.path, &st) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
    }

    /// Bytes of a file, or of the files in a folder.
    private static func size(of url: URL) -> Int {
        var st = stat()
        guard lstat(url.path, &st) == 0 else { return 0 }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return Int(st.st_size) }
        let fm = FileManager.default
        return ((try? fm.subpathsOfDirectory(atPath: url.path)) ?? []).reduce(0) { total, sub in
            var inner = stat()
            return total + (lstat(url.appendingPathComponent(sub).path, &inner) == 0 && (inner.st_mode & S_IFMT) == S_IFREG
                ? Int(inner.st_size) : 0)
        }
    }
}

extension WorkflowRunner {
    /// The sweep at the start of a run of `workflow` (named `name`), whose lock the caller holds. The feedback
    /// folders are incorrect_predictions/ and those the workflow's steps copy before they run (augment-with-feedback's).
    func sweepLeftovers(_ workflow: Workflow, name: String) -> LeftoverSweeper.Report {
        let folders = [projectRoot.appendingPathComponent("incorrect_predictions")]
            + workflow.steps.compactMap { step in
                step.definition.snapshotFolder(of: step).map {
                    context(for: step, workflowName: name, log: { _ in }, progress: { _ in }).resolve($0)
                }
            }
        return LeftoverSweeper(outputs: outputs, stagingFolders: folders).sweep(locked: [history(name)])
    }
}
