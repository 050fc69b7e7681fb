import Foundation
import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// One line of `Outputs/<workflow>/runs/index.jsonl`: a run at a glance, enough to list runs and compare two
/// without opening their folders.
public struct RunIndexEntry: Codable, Sendable, Equatable {
    public var id: String
    public var started: String
    public var ended: String?
    public var status: RunStatus
    public var mode: String
    public var commit: String?
    public var seed: UInt64
    /// Every step's resolved parameters, `step.key` to its canonical value.
    public var parameters: [String: String]
    /// Headline numbers: `test_accuracy`, `test_loss` (from the workflow's metrics.json), absent if the run made
    /// or chose none (it failed, or has no plot step).
    public var metrics: [String: Double]
    /// Each class's accuracy (recall), by label, from metrics.json's `per_class`.
    public var perClass: [String: Double]?
    public var seconds: Double?
    /// The steps it computed, and those it read from the cache, in workflow order.
    public var computed: [String]
    public var cached: [String]
    /// Why each step ran or not, as the plan said (`runs: lr changed from 0.001 to 0.003`).
    public var reasons: [String: String]
    /// Whether the run has a folder under runs/. A run that took every step from the cache and put nothing back
    /// has none: its whole record is `record`, here.
    public var folder: Bool
    public var record: RunRecord?

    /// `step.key=value` for each parameter, sorted.
    public var parameterList: [String] { parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" } }
}

/// `Outputs/<workflow>/runs/index.jsonl`: one JSON line per run, oldest first. Each line is appended with
/// O_APPEND in a single write(2), so runs refused by the lock (which do not hold it) never interleave theirs.
public struct RunIndex: Sendable {
    public let url: URL

    public init(history: RunHistory) {
        url = history.runsURL.appendingPathComponent("index.jsonl")
    }

    public func append(_ entry: RunIndexEntry) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(entry)
        line.append(UInt8(ascii: "\n"))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw FileError(path: url.path, reason: written < 0 ? String(cString: strerror(errno)) : "short write")
        }
    }

    /// Every readable line, oldest first. A line cut short by a crash or written by a newer Stepwise is skipped.
    public func entries() throws -> [RunIndexEntry] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        let decoder = JSONDecoder()
        var entries: [RunIndexEntry] = []
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            if end > start, let entry = try? decoder.decode(RunIndexEntry.self, from: data[start..<end]) {
                entries.append(entry)
            }
            start = end + 1
        }
        return entries.sorted { RunHistory.order($0.id) < RunHistory.order($1.id) }
    }

    /// The index line of a finished `record`. `metrics` is the workflow's metrics.json as the run left it (nil if
    /// the run did not succeed); `folder` whether the run keeps its folder (if not, the record goes in the line).
    public static func entry(for record: RunRecord, metrics: Data?, commit: String?, folder: Bool) -> RunIndexEntry {
        var parameters: [String: String] = [:]
        for step in record.steps {
            for (key, value) in step.fingerprint.parameters { parameters["\(step.name).\(key)"] = value }
        }
        let (headline, perClass) = metrics.map(Self.headline) ?? ([:], nil)
        let seconds = record.ended.flatMap(Timestamp.date).flatMap { end in
            Timestamp.date(record.started).map { end.timeIntervalSince($0) }
        }
        return RunIndexEntry(
            id: record.id, started: record.started, ended: record.ended, status: record.status, mode: record.mode,
            commit: commit, seed: record.seed, parameters: parameters, metrics: headline, perClass: perClass,
            seconds: seconds,
            computed: record.steps.filter { $0.outcome == .computed }.map(\.name),
            cached: record.steps.filter { $0.outcome == .cached }.map(\.name),
            reasons: Dictionary(record.steps.map { ($0.name, $0.reason) }, uniquingKeysWith: { a, _ in a }),
            folder: folder, record: folder ? nil : record)
    }

    /// `test_accuracy` and `test_loss` (and their `_before` for retrain), and per-class recall, from metrics.json.
    static func headline(_ data: Data) -> ([String: Double], [String: Double]?) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return ([:], nil) }
        var headline: [String: Double] = [:]
        for key in ["test_accuracy", "test_loss", "test_accuracy_before", "test_loss_before"] {
            if let value = object[key] as? Double { headline[key] = value }
        }
        var perClass: [String: Double]?
        if let classes = object["per_class"] as? [[String: Any]] {
            perClass = [:]
            for row in classes {
                guard let recall = row["recall"] as? Double else { continue }
                let label = (row["label"] as? Int).map(String.init) ?? (row["label"] as? String) ?? "\(perClass!.count)"
                perClass![label] = recall
            }
        }
        return (headline, perClass)
    }
}
