import Datasets
import Foundation
import NeuralNet
import StepDSL
import Tensor
import StepwiseErrors

/// What `stepwise run` / `stepwise plan` asked for.
public struct RunOptions: Sendable {
    /// The thread count unless `--threads` says otherwise.
    public static let defaultThreads = 2

    /// A workflow name (resolved under Workflows/) or a path to a workflow folder, as the user wrote it.
    public var workflow: String
    public var mode: PlanMode
    /// `step.key=value` overrides, checked like the step files.
    public var overrides: [String]
    public var dataDirectory: URL
    public var seed: UInt64
    /// Seconds to wait for another run's lock (0: fail at once).
    public var wait: Double
    public var threads: Int
    /// Set by SIGINT/SIGTERM (see `Interruption.install`): the run stops between steps, training between batches.
    public var interruption: Interruption?
    /// `--data` and `--project` as the user wrote them, if given, so suggested commands repeat them.
    public var dataFlag: String?
    public var projectFlag: String?
    /// A folder under Outputs/<workflow>/ that takes this run's outputs, lock and run records instead of
    /// Outputs/<workflow>/ itself (a sweep's point: `sweeps/<id>/points/<n>`). Steps that write there (plot) are
    /// keyed by it, so a cached step never puts its files back into another run's folder.
    public var outputFolder: String?
    /// Before computing a step, claim its cache key (see `ComputeClaim`): a process computing the same missing
    /// entry at the same time is waited for and its result read from the cache instead of computed twice.
    public var claimComputations = false

    public init(workflow: String, mode: PlanMode = .all, overrides: [String] = [], dataDirectory: URL,
                seed: UInt64 = defaultRunSeed, wait: Double = 0, threads: Int = defaultThreads,
                dataFlag: String? = nil, projectFlag: String? = nil, interruption: Interruption? = nil) {
        self.workflow = workflow
        self.mode = mode
        self.overrides = overrides
        self.dataDirectory = dataDirectory
        self.seed = seed
        self.wait = wait
        self.threads = threads
        self.interruption = interruption
        self.dataFlag = dataFlag
        self.projectFlag = projectFlag
    }

    /// The `stepwise run` command that does `mode` with these options, as the user would type it: the workflow as
    /// given, every `--set`, and `--data`, `--seed`, `--threads` and `--project` when given or not the default.
    /// Words are shell-quoted where needed, so it can be pasted as is. Every command a message suggests is made here.
    public func command(mode: PlanMode) -> String {
        Self.command(workflow: workflow, mode: mode, overrides: overrides, dataFlag: dataFlag, seed: seed,
                     threads: threads, projectFlag: projectFlag)
    }

    /// `command(mode:)` from its parts; the defaults leave the options out.
    public static func command(workflow: String, mode: PlanMode, overrides: [String] = [], dataFlag: String? = nil,
                               seed: UInt64 = defaultRunSeed, threads: Int = defaultThreads,
                               projectFlag: String? = nil) -> String {
        var words = ["stepwise", "run", workflow]
        switch mode {
        case .all: break
        case .only(let step): words += ["--only", step]
        case .from(let step): words += ["--from", step]
        case .force: words.append("--force")
        }
        for override in overrides { words += ["--set", override] }
        if let dataFlag { words += ["--data", dataFlag] }
        if seed != defaultRunSeed { words += ["--seed", String(seed)] }
        if threads != defaultThreads { words += ["--threads", String(threads)] }
        if let projectFlag { words += ["--project", projectFlag] }
        return words.map(shellQuoted).joined(separator: " ")
    }

    /// A word as a POSIX shell reads it back: as is when it has only safe characters, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%")
        if !word.isEmpty, word.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

/// A workflow that does not exist: a usage error (exit 2).
public struct WorkflowNotFound: Error, CustomStringConvertible {
    public var description: String
}

/// A step failed while running (exit 1). Earlier steps' results stay in the cache.
public struct StepRunError: Error, CustomStringConvertible {
    public var step: String
    public var file: String
    public var underlying: any Error
    public var description: String { "step \(step) (\(file)) failed: \(underlying)" }
}

/// How a run ended.
public struct RunSummary: Sendable {
    public var runID: String?
    public var ran: [String]
    public var cached: [String]
    public var message: String
    public var reportPath: String?
}

/// Loads a workflow, checks it whole, plans it against the cache, and runs the steps that need to run.
public struct WorkflowRunner: Sendable {
    public let projectRoot: URL
    public let options: RunOptions

    public init(projectRoot: URL, options: RunOptions) {
        self.projectRoot = projectRoot
        self.options = options
    }

    var outputs: URL { projectRoot.appendingPathComponent("Outputs") }

    /// Where a run of workflow `name` writes its report, lock and run records: Outputs/<name>/, or the run's
    /// own `outputFolder` under it.
    func workflowFolder(_ name: String) -> URL {
        let base = outputs.appendingPathComponent(name, isDirectory: true)
        return options.outputFolder.map { base.appendingPathComponent($0, isDirectory: true) } ?? base
    }

    func history(_ name: String) -> RunHistory { RunHistory(workflowURL: workflowFolder(name)) }

    /// The workflow folder and the name its outputs go under.
    func locateWorkflow() throws -> (directory: URL, display: String, name: String) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        let given = options.workflow
        if given.contains("/"), fm.fileExists(atPath: given, isDirectory: &isDir), isDir.boolValue {
            let url = URL(fileURLWithPath: given).standardizedFileURL
            return (url, given, url.lastPathComponent)
        }
        let named = projectRoot.appendingPathComponent("Workflows").appendingPathComponent(given)
        if fm.fileExists(atPath: named.path, isDirectory: &isDir), isDir.boolValue {
            return (named, "Workflows/\(given)", given)
        }
        let known = (try? fm.contentsOfDirectory(atPath: projectRoot.appendingPathComponent("Workflows").path))?.sorted() ?? []
        throw WorkflowNotFound(description: "no workflow '\(given)': expected a folder Workflows/\(given) in \(projectRoot.path)"
            + (known.isEmpty ? " (is this the project folder? use --project DIR)" : " (workflows here: \(known.joined(separator: ", ")))"))
    }

    /// Parses and checks the whole workflow, including the model architecture, before anything runs.
    func loadChecked() throws -> (workflow: Workflow, name: String) {
        let (directory, display, name) = try locateWorkflow()
        let workflow = try WorkflowLoader.load(directory: directory, displayPath: display, kinds: StepKinds.schema,
                                               overrides: options.overrides, layers: LayerRegistry.language)
        let problems = workflow.steps.flatMap { $0.definition.check($0, in: workflow) }
        if !problems.isEmpty { throw DiagnosticList(problems) }
        return (workflow, name)
    }

    func context(for step: Step, workflowName: String, log: @escaping @Sendable (String) -> Void,
                 progress: @escaping @Sendable (String) -> Void) -> StepContext {
        StepContext(projectRoot: projectRoot, workflowOutputs: workflowFolder(workflowName),
                    dataDirectory: options.dataDirectory,
                    seed: step.seed ?? stepSeed(runSeed: options.seed, step: step.name),
                    threads: step.threads(run: options.threads), progress: progress, log: log,
                    isInterrupted: { [interruption = options.interruption] in interruption?.isRequested ?? false })
    }

    /// The files a step reads, whose contents are part of its cache key, each under a stable name: moving the
    /// data folder or the project does not change a key, changing a file's contents does. A step reading a
    /// folder with a snapshot in `snapshots` (by step name) reads the snapshot's files under the folder's names.
    func inputFiles(of step: Step, context: StepContext, snapshots: [String: URL] = [:]) -> [(name: String, url: URL)] {
        var context = context
        context.snapshot = snapshots[step.name] ?? context.snapshot
        return step.definition.inputFiles(of: step, context: context)
    }

    /// The content each input file of `step` was keyed by, by path (see `StepContext.expectedContent`).
    func keyedContent(of step: Step, fingerprint: StepFingerprint, context: StepContext,
                      snapshots: [String: URL] = [:]) -> [String: String] {
        var content: [String: String] = [:]
        for (display, url) in inputFiles(of: step, context: context, snapshots: snapshots) {
            if let hash = fingerprint.files[display], hash.hasPrefix("sha256:") { content[url.path] = hash }
        }
        return content
    }

    /// The planner's view of every step: name, inputs with their producers, fingerprint. With `--force` every
    /// input file is hashed in full (the stat cache is not trusted), so what is computed is keyed by content.
    /// A data file that is not a regular file (a directory, a FIFO) is refused without being opened. Files in a
    /// snapshot are hashed whole (a snapshot is new each run; its files would only crowd the stat cache).
    func planSteps(_ workflow: Workflow, name: String, fingerprinter: inout FileFingerprinter,
                   snapshots: [String: URL] = [:]) throws -> [PlanStep] {
        let quiet: @Sendable (String) -> Void = { _ in }
        fingerprinter.trustStatCache = options.mode != .force
        return try workflow.steps.map { step in
            let ctx = context(for: step, workflowName: name, log: quiet, progress: quiet)
            var files: [String: String] = [:]
            for (display, url) in inputFiles(of: step, context: ctx, snapshots: snapshots) {
                do {
                    if snapshots[step.name] != nil {
                        files[display] = WorkspaceFiles.hash(try RegularFile.read(url))
                    } else {
                        files[display] = FileManager.default.fileExists(atPath: url.path) ? try fingerprinter.contentHash(of: url) : "missing"
                    }
                } catch let error as FileError {
                    throw step.definition.unreadableInput(error)
                }
            }
            let inputs = step.inputs.compactMap { ref in ref.producer.map { StepInput(artifact: ref.name, producer: $0) } }
            return PlanStep(name: step.name, inputs: inputs, fingerprint: fingerprint(of: step, context: ctx, files: files))
        }
    }

    /// A step's fingerprint in canonical form: its header and layer lines as `Step` spells them, every parameter
    /// resolved (defaults and `--set` applied) in canonical spelling, the seed only if the kind uses randomness
    /// (with the run seed it came from, when derived), the thread count only if the kind's results depend on it.
    func fingerprint(of step: Step, context: StepContext, files: [String: String]) -> StepFingerprint {
        var parameters = step.parameters.mapValues(\.description)
        parameters["threads"] = nil
        // A step writing into the run's folder is keyed by that folder: its cached files belong there only.
        if step.definition.writesIntoRunFolder, let folder = options.outputFolder { parameters["outputs"] = folder }
        let schema = step.schema
        return StepFingerprint(text: step.canonicalHeader, layers: step.canonicalLayers, parameters: parameters,
                               seed: schema.usesSeed ? context.seed : nil,
                               runSeed: schema.usesSeed && step.seed == nil ? options.seed : nil,
                               threads: schema.usesThreads ? context.threads : nil, files: files)
    }

    /// Checks that what the steps need before they can run is there, before anything runs (the data: exit 4).
    func checkData(_ workflow: Workflow) throws {
        for step in workflow.steps {
            let quiet: @Sendable (String) -> Void = { _ in }
            try step.definition.checkPresent(step, context: context(for: step, workflowName: "", log: quiet, progress: quiet))
        }
    }

    /// `stepwise plan`: one line per step, nothing run, nothing written but the cache's stat memo (a corrupt
    /// entry is reported through `warn`, a whole line starting with "warning: ", and left in place).
    public func plan(warn: (String) -> Void) throws -> [String] {
        let (workflow, name) = try loadChecked()
        let cache = CacheStore(outputs: outputs)
        var fingerprinter = FileFingerprinter(cache: cache)
        defer { try? fingerprinter.save() }
        let (_, plan) = try dryPlan(workflow, name: name, cache: cache, fingerprinter: &fingerprinter, warn: warn)
        // A cached step whose files in the workspace differ from its entry's will have them put back: say so.
        return zip(workflow.steps, plan.steps).map { step, planned in
            let line = "\(planned.name): \(planned.action)"
            guard case .cached(let key, _) = planned.action else { return line }
            let quiet: @Sendable (String) -> Void = { _ in }
            let ctx = context(for: step, workflowName: name, log: quiet, progress: quiet)
            let (_, stale, extra) = staleWorkspaceFiles(key: key, cache: cache, context: ctx, fingerprinter: &fingerprinter)
            return line + (stale.isEmpty ? "" : "; puts back \(Self.listed(stale))")
                + (extra.isEmpty ? "" : "; removes \(Self.listed(extra)) (not among its results)")
        }
    }

    /// `stepwise plan --graph`: the plan as a Mermaid flowchart, each step `runs`, `from cache` or `not run`.
    public func planGraph(warn: (String) -> Void) throws -> String {
        let (workflow, name) = try loadChecked()
        let cache = CacheStore(outputs: outputs)
        var fingerprinter = FileFingerprinter(cache: cache)
        defer { try? fingerprinter.save() }
        let (steps, plan) = try dryPlan(workflow, name: name, cache: cache, fingerprinter: &fingerprinter, warn: warn)
        return PipelineGraph(steps: plan.steps.map { step in
            let state: PipelineGraph.State = switch step.action {
            case .run: .runs
            case .cached: .cached
            case .skip: .notRun
            }
            return (step.name, state)
        }, edges: PipelineGraph.edges(steps)).mermaid
    }

    /// The plan `run` would make, reading the cache only.
    private func dryPlan(_ workflow: Workflow, name: String, cache: CacheStore, fingerprinter: inout FileFingerprinter,
                         warn: (String) -> Void) throws -> ([PlanStep], Plan) {
        let steps = try planSteps(workflow, name: name, fingerprinter: &fingerprinter)
        let previous = try history(name).previousRun(steps: Set(steps.map(\.name)))
        let planner = Planner(workflow: name, steps: steps, previous: previous, mode: options.mode, command: options.command(mode:))
        return (steps, try planner.plan { key in cache.presence(of: key, readOnly: true) { warn($0.description) } })
    }
}

extension WorkflowNotFound: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}

extension StepRunError: ExitCoded {
    /// Bad data found while a step ran is still bad data; anything else is the step failing.
    public var exitCode: Int32 { underlying is DataError ? ExitCode.badData : ExitCode.failure }
}
