import Foundation
import Tensor

/// One run's folder, `Outputs/<workflow>/runs/2026-11-22T01-02-03Z/`, holding run.json and log.txt.
/// run.json is rewritten atomically after every step, so a killed run still records what it finished.
public struct RunDirectory: Sendable {
    public let url: URL
    public private(set) var record: RunRecord

    public var recordURL: URL { url.appendingPathComponent("run.json") }
    public var logURL: URL { url.appendingPathComponent("log.txt") }

    /// Creates the folder of a new run of `plan`, writes its run.json with every step `planned`, and starts
    /// log.txt with the run's and every step's seed and plan line.
    /// `fingerprints` are by step name, as given to the planner; a planned step's own fingerprint, where the planner
    /// gives one, is recorded instead.
    public static func begin(history: RunHistory, plan: Plan, mode: PlanMode, fingerprints: [String: StepFingerprint],
                             seed: UInt64 = defaultRunSeed, runnerVersion: String = StepwiseVersion.withEngine,
                             now: Date = Date()) throws -> RunDirectory {
        let (id, url) = try makeFolder(history: history, now: now)
        let steps = plan.steps.map { step -> StepRecord in
            let cached: Bool
            let outcome: StepOutcome
            switch step.action {
            case .cached: (cached, outcome) = (true, .planned)
            case .run: (cached, outcome) = (false, .planned)
            case .skip: (cached, outcome) = (false, .skipped)
            }
            return StepRecord(name: step.name, key: step.key, action: step.action.name,
                              reason: step.action.description, outcome: outcome, cached: cached,
                              seed: stepSeed(runSeed: seed, step: step.name),
                              fingerprint: step.fingerprint ?? fingerprints[step.name] ?? StepFingerprint(text: ""))
        }
        let record = RunRecord(id: id, workflow: plan.workflow, runnerVersion: runnerVersion,
                               mode: Self.describe(mode), started: Timestamp.string(now), seed: seed, steps: steps,
                               cpu: Engine.cpuModel)
        let directory = RunDirectory(url: url, record: record)
        try directory.save()
        // The seeds go into the log too, so a log read on its own says how to reproduce the run.
        let stamp = "[\(record.started)]"
        let header = ["\(stamp) run \(id) of \(plan.workflow): \(record.mode), runner \(runnerVersion), seed \(seed)"]
            + steps.map { "\(stamp) \($0.name): seed \($0.seed); \($0.reason)" }
        try AtomicFile.write(header.joined(separator: "\n") + "\n", to: directory.logURL)
        return directory
    }

    /// Records a run that ended before it had a plan: the workflow's data was missing, another run held the
    /// lock, a step file was wrong, or it was interrupted while waiting. Its run.json has no steps, its status
    /// and the error; log.txt has the header line and the error, each with a timestamp.
    public static func recordEarlyEnd(history: RunHistory, workflow: String, mode: PlanMode, status: RunStatus,
                                      error: String, seed: UInt64 = defaultRunSeed,
                                      runnerVersion: String = StepwiseVersion.withEngine, now: Date = Date()) throws -> RunDirectory {
        let (id, url) = try makeFolder(history: history, now: now)
        let stamp = Timestamp.string(now)
        let record = RunRecord(id: id, workflow: workflow, runnerVersion: runnerVersion, mode: describe(mode),
                               started: stamp, ended: stamp, status: status, error: error, seed: seed, steps: [],
                               cpu: Engine.cpuModel)
        let directory = RunDirectory(url: url, record: record)
        try directory.save()
        let lines = ["run \(id) of \(workflow): \(record.mode), runner \(runnerVersion), seed \(seed)"]
            + "\(status.rawValue) before the first step: \(error)".split(separator: "\n").map(String.init)
        try AtomicFile.write(lines.map { "[\(stamp)] \($0)\n" }.joined(), to: directory.logURL)
        return directory
    }

    /// A new, empty run folder named after `now`. mkdir fails if the folder exists, so two runs in the same
    /// second never share one: the later gets a suffix `-2`, `-3`… An id the run index has (a run without a
    /// folder) is skipped too.
    private static func makeFolder(history: RunHistory, now: Date) throws -> (id: String, url: URL) {
        try FileManager.default.createDirectory(at: history.runsURL, withIntermediateDirectories: true)
        var id = Timestamp.string(now)
        var url = history.runsURL.appendingPathComponent(Timestamp.folderName(now), isDirectory: true)
        var attempt = 1
        // Runs without a folder (all from the cache, or pruned) hold their id in the index only.
        let index = RunIndex(history: history).contents
        while index.contains(id: id) || mkdir(url.path, 0o755) != 0 {
            guard index.contains(id: id) || errno == EEXIST else {
                throw FileError(path: url.path, reason: String(cString: strerror(errno)))
            }
            attempt += 1
            id = "\(Timestamp.string(now))-\(attempt)"
            url = history.runsURL.appendingPathComponent("\(Timestamp.folderName(now))-\(attempt)", isDirectory: true)
        }
        return (id, url)
    }

    /// Records how step `name` ended and how long it took, and saves run.json.
    /// `wrote` lists the files outside the cache the step left in the workspace (path to content hash).
    public mutating func finishStep(_ name: String, outcome: StepOutcome, seconds: Double, wrote: [String: String]? = nil) throws {
        guard let i = record.steps.firstIndex(where: { $0.name == name }) else {
            throw FileError(path: recordURL.path, reason: "run \(record.id) has no step \(name)")
        }
        record.steps[i].outcome = outcome
        record.steps[i].seconds = seconds
        if let wrote { record.steps[i].wrote = wrote }
        try save()
    }

    /// Records the run's end (and why it did not succeed) and saves run.json.
    public mutating func finish(status: RunStatus, error: String? = nil, now: Date = Date()) throws {
        record.status = status
        record.error = error
        record.ended = Timestamp.string(now)
        try save()
    }

    public func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(encoder.encode(record), to: recordURL)
    }

    static func describe(_ mode: PlanMode) -> String {
        switch mode {
        case .all: "all"
        case .force: "force"
        case .only(let step): "only \(step)"
        case .from(let step): "from \(step)"
        }
    }
}
