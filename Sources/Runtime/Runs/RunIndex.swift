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
    /// Every step's resolved parameters, `step.key=value` (the value in canonical form), sorted.
    public var parameters: [String]
    /// Headline numbers: `test_accuracy`, `test_loss` (from the workflow's metrics.json), absent if the run made
    /// or chose none (it failed, or has no plot step).
    public var metrics: [String: Double]
    /// Each class's accuracy (recall), by label, from metrics.json's `per_class`.
    public var perClass: [String: Double]?
    /// The run's time: the sum of its steps' times.
    public var seconds: Double?
    /// The steps it computed, and those it read from the cache, in workflow order.
    public var computed: [String]
    public var cached: [String]
    /// Why each computed step ran, as the plan said (`runs: lr changed from 0.001 to 0.003`), in the order of
    /// `computed`.
    public var reasons: [String]
    /// Whether the run has a folder under runs/. A run that took every step from the cache and put nothing back
    /// has none: its whole record is `record`, here.
    public var folder: Bool
    public var record: RunRecord?

    /// Set to true in a decoder's `userInfo` to decode `record`; without it the record is skipped, which keeps
    /// reading a long index fast for `stepwise runs` and `diff`.
    static let decodesRecord = CodingUserInfoKey(rawValue: "stepwise.decodesRecord")!

    enum CodingKeys: String, CodingKey {
        case id, started, ended, status, mode, commit, seed, parameters, metrics, perClass, seconds, computed, cached,
             reasons, folder, record
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        started = try c.decode(String.self, forKey: .started)
        ended = try c.decodeIfPresent(String.self, forKey: .ended)
        status = try c.decode(RunStatus.self, forKey: .status)
        mode = try c.decode(String.self, forKey: .mode)
        commit = try c.decodeIfPresent(String.self, forKey: .commit)
        seed = try c.decode(UInt64.self, forKey: .seed)
        parameters = try c.decode([String].self, forKey: .parameters)
        metrics = try c.decode([String: Double].self, forKey: .metrics)
        perClass = try c.decodeIfPresent([String: Double].self, forKey: .perClass)
        seconds = try c.decodeIfPresent(Double.self, forKey: .seconds)
        computed = try c.decode([String].self, forKey: .computed)
        cached = try c.decode([String].self, forKey: .cached)
        reasons = try c.decode([String].self, forKey: .reasons)
        folder = try c.decode(Bool.self, forKey: .folder)
        record = decoder.userInfo[Self.decodesRecord] as? Bool == true
            ? try c.decodeIfPresent(RunRecord.self, forKey: .record) : nil
    }

    init(id: String, started: String, ended: String?, status: RunStatus, mode: String, commit: String?, seed: UInt64,
         parameters: [String], metrics: [String: Double], perClass: [String: Double]?, seconds: Double?,
         computed: [String], cached: [String], reasons: [String], folder: Bool, record: RunRecord?) {
        (self.id, self.started, self.ended, self.status, self.mode, self.commit, self.seed) = (id, started, ended, status, mode, commit, seed)
        (self.parameters, self.metrics, self.perClass, self.seconds) = (parameters, metrics, perClass, seconds)
        (self.computed, self.cached, self.reasons, self.folder, self.record) = (computed, cached, reasons, folder, record)
    }

    /// The parameters by `step.key`.
    public var parameterValues: [String: String] {
        Dictionary(parameters.map { item in
            let eq = item.firstIndex(of: "=") ?? item.endIndex
            return (String(item[..<eq]), eq == item.endIndex ? "" : String(item[item.index(after: eq)...]))
        }, uniquingKeysWith: { a, _ in a })
    }
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
    /// The records of folderless runs are read only with `records`.
    public func entries(records: Bool = false) throws -> [RunIndexEntry] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        let lines = Self.lines(of: data)
        guard !lines.isEmpty else { return [] }
        // Decoding is nearly all of the time `stepwise runs` takes with a long index: the lines are cut into one
        // contiguous part per core (a few hundred lines at least) and decoded side by side.
        let parts = Parallel.shards(count: lines.count,
                                    parts: min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 250 + 1))
        var decoded = [[RunIndexEntry]](repeating: [], count: parts.count)
        decoded.withUnsafeMutableBufferPointer { buffer in
            let out = SharedPointer(buffer.baseAddress!)
            Parallel.run(parts.count) { i in
                out[i].pointee = Self.decode(lines[parts[i]], records: records)
            }
        }
        // Lines are appended as runs end, nearly in id order: sort by precomputed keys.
        return decoded.joined().map { (RunHistory.order($0.id), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// One decode of the lines as a JSON array is much faster than one per line; a damaged line sends it back to
    /// line by line, skipping that line.
    static func decode(_ lines: ArraySlice<Data>, records: Bool) -> [RunIndexEntry] {
        let decoder = Self.decoder(records: records)
        var joined = Data()
        joined.reserveCapacity(lines.reduce(2) { $0 + $1.count + 1 })
        for line in lines { joined.append(line); joined.append(UInt8(ascii: "\n")) }
        return (try? decoder.decode([RunIndexEntry].self, from: Self.array(ofLines: joined)))
            ?? lines.compactMap { try? decoder.decode(RunIndexEntry.self, from: $0) }
    }

    /// `[line1,line2,…]`: newlines become commas. A blank line inside makes it invalid JSON, and the caller
    /// then reads line by line.
    static func array(ofLines data: Data) -> Data {
        var bytes = [UInt8](repeating: 0, count: data.count + 2)
        bytes.withUnsafeMutableBufferPointer { buffer in
            _ = data.copyBytes(to: UnsafeMutableBufferPointer(rebasing: buffer[1...]))
        }
        var end = data.count   // the last byte copied
        while end >= 1, bytes[end] == UInt8(ascii: "\n") { end -= 1 }
        for i in 1..<(end + 1) where bytes[i] == UInt8(ascii: "\n") { bytes[i] = UInt8(ascii: ",") }
        bytes[0] = UInt8(ascii: "[")
        bytes[end + 1] = UInt8(ascii: "]")
        return Data(bytes[...(end + 1)])
    }

    /// The newest `count` runs that had a plan (parameters) and pass `filter`, oldest first, decoding lines from
    /// the end only.
    public func latest(_ count: Int, where filter: (RunIndexEntry) -> Bool = { _ in true }) -> [RunIndexEntry] {
        let decoder = Self.decoder(records: false)
        var found: [RunIndexEntry] = []
        for line in lines().reversed() where found.count < count {
            if let entry = try? decoder.decode(RunIndexEntry.self, from: line), !entry.parameters.isEmpty, filter(entry) {
                found.append(entry)
            }
        }
        return found.sorted { RunHistory.order($0.id) < RunHistory.order($1.id) }
    }

    /// The file's bytes (empty if there is none yet), to ask which ids it holds without decoding it.
    public var contents: Contents { Contents(data: FileManager.default.contents(atPath: url.path) ?? Data()) }

    public struct Contents: Sendable {
        let data: Data

        /// Whether a line has this run id (lines are written without spaces, keys sorted: `"id":"<id>"`).
        public func contains(id: String) -> Bool {
            data.range(of: Data("\"id\":\"\(id)\"".utf8)) != nil
        }
    }

    /// The lines of the file, in the order they were appended; blank lines dropped.
    func lines() -> [Data] {
        FileManager.default.contents(atPath: url.path).map(Self.lines) ?? []
    }

    static func lines(of data: Data) -> [Data] {
        var lines: [Data] = []
        data.withUnsafeBytes { bytes in
            var start = 0
            for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
                if i > start { lines.append(Data(bytes[start..<i])) }
                start = i + 1
            }
            if bytes.count > start { lines.append(Data(bytes[start...])) }
        }
        return lines
    }

    static func decoder(records: Bool) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[RunIndexEntry.decodesRecord] = records
        return decoder
    }

    /// The index line of a finished `record`. `metrics` is the workflow's metrics.json as the run left it (nil if
    /// the run did not succeed); `folder` whether the run keeps its folder (if not, the record goes in the line).
    public static func entry(for record: RunRecord, metrics: Data?, commit: String?, folder: Bool) -> RunIndexEntry {
        let parameters = record.steps.flatMap { step in
            step.fingerprint.parameters.map { "\(step.name).\($0.key)=\($0.value)" }
        }.sorted()
        let (headline, perClass) = metrics.map(Self.headline) ?? ([:], nil)
        // The steps' own times (record times are to the second); a run without steps: its start to its end.
        let stepTimes = record.steps.compactMap(\.seconds)
        let seconds = stepTimes.isEmpty
            ? record.ended.flatMap(Timestamp.date).flatMap { end in Timestamp.date(record.started).map { end.timeIntervalSince($0) } }
            : stepTimes.reduce(0, +)
        return RunIndexEntry(
            id: record.id, started: record.started, ended: record.ended, status: record.status, mode: record.mode,
            commit: commit, seed: record.seed, parameters: parameters, metrics: headline, perClass: perClass,
            seconds: seconds,
            computed: record.steps.filter { $0.outcome == .computed }.map(\.name),
            cached: record.steps.filter { $0.outcome == .cached }.map(\.name),
            reasons: record.steps.filter { $0.outcome == .computed }.map(\.reason),
            folder: folder, record: folder ? nil : record)
    }

    /// A comparison's metric of one model, as the headline names it: `test_accuracy[CNN]`. The brackets keep every
    /// model name apart from the single-model keys (`test_accuracy_before`).
    static func modelMetric(_ key: String, model: String) -> String { "\(key)[\(model)]" }

    /// The model a headline key of `modelMetric(key, model:)` names, or nil for another key.
    static func model(in name: String, metric key: String) -> String? {
        guard name.hasPrefix(key + "["), name.hasSuffix("]") else { return nil }
        return String(name.dropFirst(key.count + 1).dropLast())
    }

    /// `test_accuracy` and `test_loss` (and their `_before` for retrain; `[<model>]` for each model of a
    /// comparison), and per-class recall, from metrics.json.
    static func headline(_ data: Data) -> ([String: Double], [String: Double]?) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return ([:], nil) }
        var headline: [String: Double] = [:]
        for key in ["test_accuracy", "test_loss", "test_accuracy_before", "test_loss_before"] {
            if let value = object[key] as? Double { headline[key] = value }
        }
        // A comparison: each model's, under its name.
        for model in object["models"] as? [[String: Any]] ?? [] {
            guard let name = model["name"] as? String else { continue }
            for key in ["test_accuracy", "test_loss"] {
                if let value = model[key] as? Double { headline[modelMetric(key, model: name)] = value }
            }
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
