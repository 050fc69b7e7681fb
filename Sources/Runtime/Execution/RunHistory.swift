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
    /// it from the cache (a `--only` run or a failed run does not hide what earlier runs did).
    public func previousRun() throws -> PreviousRun? {
        let records = try records()
        guard !records.isEmpty else { return nil }
        var steps: [String: PreviousStep] = [:]
        for record in records.reversed() {
            for step in record.steps where steps[step.name] == nil
                && (step.outcome == .computed || step.outcome == .cached) {
                steps[step.name] = PreviousStep(key: step.key, fingerprint: step.fingerprint,
                                                 runnerVersion: record.runnerVersion, wrote: step.wrote ?? [:])
            }
        }
        return PreviousRun(steps: steps)
    }

    /// Ids sort by time, then by the same-second suffix as a number (`…Z-10` after `…Z-9`).
    static func order(_ id: String) -> (String, Int) {
        guard let z = id.lastIndex(of: "Z") else { return (id, 0) }
        let suffix = id[id.index(after: z)...].dropFirst()
        return (String(id[...z]), Int(suffix) ?? 1)
    }
}
