import Foundation

/// The runs of one workflow, `Outputs/<workflow>/runs/*/run.json`, oldest first.
public struct RunHistory: Sendable {
    /// `Outputs/<workflow>`.
    public let workflowURL: URL

    public init(workflowURL: URL) {
        self.workflowURL = workflowURL
    }

    public init(outputs: URL, workflow: String) {
        self.workflowURL = outputs.appendingPathComponent(workflow, isDirectory: true)
    }

    public var runsURL: URL { workflowURL.appendingPathComponent("runs", isDirectory: true) }

    /// Every readable run record, oldest first: each folder's run.json, and the records of runs without a folder
    /// (every step from the cache, nothing put back) from the run index. A folder without a readable run.json (a
    /// run killed before it wrote one) is not a run and is left out.
    public func records() throws -> [RunRecord] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: runsURL.path) else { return [] }
        let decoder = JSONDecoder()
        var records = try RunIndex(history: self).entries(records: true).compactMap(\.record)
        for name in try fm.contentsOfDirectory(atPath: runsURL.path) where !name.hasPrefix(".") && name != "index.jsonl" {
            let url = runsURL.appendingPathComponent(name).appendingPathComponent("run.json")
            guard let data = try? Data(contentsOf: url),
                  let record = try? decoder.decode(RunRecord.self, from: data)
            else { continue }
            records.append(record)
        }
        return records.sorted { Self.order($0.id) < Self.order($1.id) }
    }

    public func latest() throws -> RunRecord? {
        try records().last
    }

    /// What the planner compares with: for each step, its record in the newest run that computed it or read
    /// it from the cache (a `--only` run or a failed run does not hide what earlier runs did). With `steps`, the
    /// runs are read newest first and only until each of those steps is found, so a long history (hundreds of
    /// cron runs) costs a plan a few records, not all of them.
    public func previousRun(steps wanted: Set<String>? = nil) throws -> PreviousRun? {
        let sources = try recordSources()
        guard !sources.isEmpty else { return nil }
        var steps: [String: PreviousStep] = [:]
        var sawRecord = false
        for source in sources.reversed() {
            if let wanted, wanted.isSubset(of: steps.keys) { break }
            guard let record = source.record() else { continue }
            sawRecord = true
            for step in record.steps where steps[step.name] == nil
                && (step.outcome == .computed || step.outcome == .cached) {
                steps[step.name] = PreviousStep(key: step.key, fingerprint: step.fingerprint,
                                                 runnerVersion: record.runnerVersion, wrote: step.wrote ?? [:])
            }
        }
        return sawRecord ? PreviousRun(steps: steps) : nil
    }

    /// Where each run's record is, oldest first, without decoding any: each folder's run.json, and each index line
    /// of a run without a folder (its id and `folder` read from the line's bytes: lines are written with sorted
    /// keys, so the top-level `"folder"` and `"id"` come before the nested record).
    func recordSources() throws -> [RecordSource] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: runsURL.path) else { return [] }
        var sources: [(order: (String, Int), source: RecordSource)] = []
        for line in RunIndex(history: self).lines() {
            switch RecordSource.folderlessID(line) {
            case .some(.some(let id)): sources.append((Self.order(id), .line(line)))
            case .some(.none): continue  // a run with a folder: its run.json is the record
            case .none:  // not in the expected form: decode it to know
                guard let entry = try? RunIndex.decoder(records: true).decode(RunIndexEntry.self, from: line),
                      entry.record != nil else { continue }
                sources.append((Self.order(entry.id), .line(line)))
            }
        }
        for name in try fm.contentsOfDirectory(atPath: runsURL.path) where !name.hasPrefix(".") && name != "index.jsonl" {
            let url = runsURL.appendingPathComponent(name).appendingPathComponent("run.json")
            guard fm.fileExists(atPath: url.path) else { continue }
            sources.append((Self.order(Timestamp.id(forFolderName: name)), .folder(url)))
        }
        return sources.sorted { $0.order < $1.order }.map(\.source)
    }

    /// One run's record, read on demand.
    enum RecordSource {
        case folder(URL)
        case line(Data)

        func record() -> RunRecord? {
            switch self {
            case .folder(let url):
                return (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(RunRecord.self, from: $0) }
            case .line(let line):
                return (try? RunIndex.decoder(records: true).decode(RunIndexEntry.self, from: line))?.record
            }
        }

        /// nil: the line is not in the form written by `RunIndex.append`; `.some(nil)`: a run with a folder;
        /// `.some(id)`: a folderless run's id.
        static func folderlessID(_ line: Data) -> String?? {
            let idKey = Data(#""id":""#.utf8)
            guard let idRange = line.range(of: idKey),
                  let close = line[idRange.upperBound...].firstIndex(of: UInt8(ascii: "\""))
            else { return nil }
            let head = line[..<idRange.lowerBound]
            if head.range(of: Data(#""folder":true"#.utf8)) != nil { return .some(nil) }
            guard head.range(of: Data(#""folder":false"#.utf8)) != nil else { return nil }
            return .some(String(decoding: line[idRange.upperBound..<close], as: UTF8.self))
        }
    }

    /// Ids sort by time, then by the same-second suffix as a number (`…Z-10` after `…Z-9`).
    static func order(_ id: String) -> (String, Int) {
        guard let z = id.lastIndex(of: "Z") else { return (id, 0) }
        let suffix = id[id.index(after: z)...].dropFirst()
        return (String(id[...z]), Int(suffix) ?? 1)
    }
}
