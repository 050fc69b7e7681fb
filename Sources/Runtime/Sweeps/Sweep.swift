import Foundation
import StepDSL
import NeuralNet
import Tensor

/// What `stepwise sweep` was given, besides where and how to run the points.
public struct SweepOptions: Sendable {
    /// A workflow name (resolved under Workflows/) or a path to a workflow folder, as the user wrote it.
    public var workflow: String
    /// The `--set` arguments as given, lists included (`train.lr=0.001,0.003`).
    public var settings: [String]
    public var dataDirectory: URL
    public var seed: UInt64
    /// Threads of each point.
    public var threads: Int
    /// `--data` and `--project` as the user wrote them, if given, for the points' command lines.
    public var dataFlag: String?
    public var projectFlag: String?

    public init(workflow: String, settings: [String], dataDirectory: URL, seed: UInt64 = defaultRunSeed,
                threads: Int = RunOptions.defaultThreads, dataFlag: String? = nil, projectFlag: String? = nil) {
        self.workflow = workflow
        self.settings = settings
        self.dataDirectory = dataDirectory
        self.seed = seed
        self.threads = threads
        self.dataFlag = dataFlag
        self.projectFlag = projectFlag
    }
}

/// A grid of runs of one workflow under `Outputs/<workflow>/sweeps/<id>/`. Each point is an ordinary run with its
/// own `--set` values whose outputs, lock and run records are under `points/<n>/` (so points run side by side, and
/// beside ordinary runs, without touching Outputs/<workflow>/report.md, metrics.json or charts/), whose save steps
/// write the model to `points/<n>/` rather than promoting it, and which shares the content-addressed cache: what
/// the points have in common (load, preprocess) is computed once.
public struct Sweep: Sendable {
    public let projectRoot: URL
    public let options: SweepOptions
    public let grid: SweepGrid
    public let id: String
    /// The workflow's name, as its outputs folder is named.
    public let workflowName: String
    /// `save` steps' names and model file names: each point writes its model into its own folder.
    let saveSteps: [(name: String, file: String)]

    /// Parses the grid and finds the workflow. `id` names an existing sweep (a point, the report), or a new one
    /// from `newID` (the folder is made by `create`).
    public init(projectRoot: URL, options: SweepOptions, id: String) throws {
        self.projectRoot = projectRoot
        self.options = options
        self.id = id
        grid = try SweepGrid.parse(options.settings)
        guard id.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]*$"#, options: .regularExpression) != nil else {
            throw SweepError(.usage, "sweep id '\(id)' may hold only letters, digits, '.', '_' and '-'")
        }
        let runner = WorkflowRunner(projectRoot: projectRoot, options: RunOptions(workflow: options.workflow, dataDirectory: options.dataDirectory))
        let located = try runner.locateWorkflow()
        workflowName = located.name
        let workflow = try WorkflowLoader.load(directory: located.directory, displayPath: located.display, kinds: StepKinds.schema,
                                               overrides: grid.fixed, layers: LayerRegistry.language)
        saveSteps = workflow.steps.filter { $0.kind == SaveStep.schema.kind }.map { ($0.name, URL(fileURLWithPath: $0.string("path")).lastPathComponent) }
        for axis in grid.axes where saveSteps.contains(where: { axis.parameter.hasPrefix($0.name + ".") }) {
            throw SweepError(.usage, "--set \(axis.parameter): a sweep's points save their models in their own folders; "
                + "sweep parameters of other steps")
        }
    }

    /// A new sweep's id: its UTC start in folder form (`2026-11-30T09-40-00Z`).
    public static func newID(_ now: Date = Date()) -> String { Timestamp.folderName(now) }

    /// Makes the folder of a new sweep, whose id is `Sweep.newID()` or, if a sweep started that second, the same
    /// with `-2`, `-3`…; writes its sweep.json. Returns the sweep. Every point is checked first (`check`): a
    /// wrong value leaves nothing behind.
    public static func create(projectRoot: URL, options: SweepOptions, now: Date = Date()) throws -> Sweep {
        var sweep = try Sweep(projectRoot: projectRoot, options: options, id: newID(now))
        try sweep.check()
        try FileManager.default.createDirectory(at: sweep.sweepsFolder, withIntermediateDirectories: true)
        var attempt = 1
        while mkdir(sweep.folder.path, 0o755) != 0 {
            guard errno == EEXIST else { throw FileError(path: sweep.folder.path, reason: String(cString: strerror(errno))) }
            attempt += 1
            sweep = try Sweep(projectRoot: projectRoot, options: options, id: "\(newID(now))-\(attempt)")
        }
        try sweep.recordManifest()
        return sweep
    }

    var outputs: URL { projectRoot.appendingPathComponent("Outputs", isDirectory: true) }
    var sweepsFolder: URL { outputs.appendingPathComponent(workflowName).appendingPathComponent("sweeps", isDirectory: true) }
    /// `Outputs/<workflow>/sweeps/<id>`.
    public var folder: URL { sweepsFolder.appendingPathComponent(id, isDirectory: true) }
    public var reportURL: URL { folder.appendingPathComponent("report.md") }

    /// The point's folder, relative to Outputs/<workflow>/.
    func pointOutputFolder(_ point: Int) -> String { "sweeps/\(id)/points/\(point)" }
    public func pointFolder(_ point: Int) -> URL { folder.appendingPathComponent("points/\(point)", isDirectory: true) }

    /// Checks every point's `--set` values against the workflow, as `stepwise run` would, before anything runs.
    public func check() throws {
        for point in 0..<grid.count {
            _ = try WorkflowRunner(projectRoot: projectRoot, options: runOptions(point: point)).loadChecked()
        }
    }

    /// The run options of point `point`: its overrides (the models of save steps go to its folder, without a
    /// history), its own folder, computations claimed so points that need the same missing entry compute it once.
    /// A lock the point needs (the model a retrain sweep fine-tunes) is waited for, up to an hour.
    public func runOptions(point: Int, interruption: Interruption? = nil) -> RunOptions {
        let folder = "Outputs/\(workflowName)/\(pointOutputFolder(point))"
        let saves = saveSteps.flatMap { ["\($0.name).path=\"\(folder)/\($0.file)\"", "\($0.name).keep_history=false"] }
        var run = RunOptions(workflow: options.workflow, overrides: grid.overrides(ofPoint: point) + saves,
                             dataDirectory: options.dataDirectory, seed: options.seed, wait: 3600, threads: options.threads,
                             dataFlag: options.dataFlag, projectFlag: options.projectFlag, interruption: interruption)
        run.outputFolder = pointOutputFolder(point)
        run.claimComputations = true
        return run
    }

    /// The arguments after the executable that run `point` (a number, or a shell word such as
    /// `"$SLURM_ARRAY_TASK_ID"`), or with `point` nil, that write the report.
    public func arguments(point: String?) -> [String] {
        var words = ["sweep", options.workflow]
        for setting in options.settings { words += ["--set", setting] }
        if let dataFlag = options.dataFlag { words += ["--data", dataFlag] }
        if options.seed != defaultRunSeed { words += ["--seed", String(options.seed)] }
        if options.threads != RunOptions.defaultThreads { words += ["--threads", String(options.threads)] }
        if let projectFlag = options.projectFlag { words += ["--project", projectFlag] }
        words += ["--id", id]
        words += point.map { ["--point", $0] } ?? ["--report"]
        return words
    }

    /// Writes sweep.json if it is not there; if it is, checks that it describes this grid.
    func recordManifest() throws {
        let url = SweepManifest.url(in: folder)
        if let data = try? Data(contentsOf: url), let existing = try? JSONDecoder().decode(SweepManifest.self, from: data) {
            guard existing.grid == grid, existing.workflow == workflowName else {
                throw SweepError(.usage, "sweep \(id) of \(existing.workflow) was made with another grid; give the same --set values, or start a new sweep")
            }
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(encoder.encode(SweepManifest(id: id, workflow: workflowName, grid: grid, created: Timestamp.string(Date()))),
                             to: url)
    }

    /// Runs point `point` in this process, as an ordinary run in its own folder, and records how it went in its
    /// point.json (also when it fails: the error is rethrown after).
    public func runPoint(_ point: Int, style: ProgressReporter.Style, interruption: Interruption? = nil,
                         output: @escaping @Sendable (String) -> Void = ProgressReporter.standardError) throws -> SweepPointRecord {
        guard (0..<grid.count).contains(point) else {
            throw SweepError(.usage, "--point \(point): the grid has points 0 to \(grid.count - 1)")
        }
        try FileManager.default.createDirectory(at: pointFolder(point), withIntermediateDirectories: true)
        try recordManifest()
        let options = runOptions(point: point, interruption: interruption)
        var record = SweepPointRecord(point: point, values: grid.values(ofPoint: point), overrides: options.overrides,
                                      status: .running, host: ComputeClaim.hostName, started: Timestamp.string(Date()))
        try record.write(to: pointFolder(point))
        do {
            let summary = try WorkflowRunner(projectRoot: projectRoot, options: options).run(style: style, output: output)
            record.status = .succeeded
            record.runID = summary.runID
            record.computed = summary.ran
            record.cached = summary.cached
            let metrics = (try? Data(contentsOf: pointFolder(point).appendingPathComponent("metrics.json")))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            record.testAccuracy = metrics?["test_accuracy"] as? Double
            record.testLoss = metrics?["test_loss"] as? Double
        } catch {
            record.status = .failed
            record.error = Self.message(of: error)
            record.runID = try? RunHistory(workflowURL: pointFolder(point)).latest()?.id
            record.ended = Timestamp.string(Date())
            try record.write(to: pointFolder(point))
            throw PointFailed(record: record, underlying: error)
        }
        record.ended = Timestamp.string(Date())
        try record.write(to: pointFolder(point))
        return record
    }

    /// An error as one line for the report (diagnostics keep their first line, which names file and problem).
    static func message(of error: any Error) -> String {
        let text = error is DiagnosticList ? (error as! DiagnosticList).rendered() : "\(error)"
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    /// Each point's record, by point; a point without one has not started (or its process died before it wrote).
    public func records() -> [Int: SweepPointRecord] {
        var records: [Int: SweepPointRecord] = [:]
        for point in 0..<grid.count {
            records[point] = SweepPointRecord.read(from: pointFolder(point))
        }
        return records
    }
}

/// A point failed; its point.json holds the error. Carries the run's own error for the exit code.
public struct PointFailed: Error, CustomStringConvertible {
    public var record: SweepPointRecord
    public var underlying: any Error
    public var description: String { "point \(record.point) failed: \(underlying)" }
}
