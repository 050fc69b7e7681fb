import Datasets
import Foundation
import NeuralNet
import StepDSL
import Tensor

/// What `stepwise run` / `stepwise plan` asked for.
public struct RunOptions: Sendable {
    /// A workflow name (resolved under Workflows/) or a path to a workflow folder.
    public var workflow: String
    public var mode: PlanMode
    /// `step.key=value` overrides, checked like the step files.
    public var overrides: [String]
    public var dataDirectory: URL
    public var seed: UInt64
    /// Seconds to wait for another run's lock (0: fail at once).
    public var wait: Double
    public var threads: Int

    public init(workflow: String, mode: PlanMode = .all, overrides: [String] = [], dataDirectory: URL,
                seed: UInt64 = defaultRunSeed, wait: Double = 0, threads: Int = 2) {
        self.workflow = workflow
        self.mode = mode
        self.overrides = overrides
        self.dataDirectory = dataDirectory
        self.seed = seed
        self.wait = wait
        self.threads = threads
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
        let workflow = try WorkflowLoader.load(directory: directory, displayPath: display, overrides: options.overrides)
        var problems: [Diagnostic] = []
        for step in workflow.steps where step.kind == .build {
            do {
                _ = try BuildStep.layers(of: step)
            } catch {
                problems.append(error)
            }
        }
        // A validation split larger than what load keeps would only fail after load ran.
        for step in workflow.steps where step.kind == .preprocess {
            guard let source = step.inputs.first?.producer, let load = workflow.step(named: source), load.kind == .load else { continue }
            if step.int("validation") >= load.int("limit") {
                problems.append(step.diagnostic("validation holds out \(step.int("validation")) images but step \(load.name) keeps only "
                    + "\(load.int("limit")) (its limit); lower \(step.name).validation or raise \(load.name).limit", at: nil))
            }
        }
        if !problems.isEmpty { throw DiagnosticList(problems) }
        return (workflow, name)
    }

    func context(for step: Step, workflowName: String, log: @escaping @Sendable (String) -> Void,
                 progress: @escaping @Sendable (String) -> Void) -> StepContext {
        StepContext(projectRoot: projectRoot, workflowOutputs: outputs.appendingPathComponent(workflowName),
                    dataDirectory: options.dataDirectory,
                    seed: step.seed ?? stepSeed(runSeed: options.seed, step: step.name),
                    threads: options.threads, progress: progress, log: log)
    }

    /// The files a step reads, whose contents are part of its cache key, each under a stable name: moving the
    /// data folder or the project does not change a key, changing a file's contents does.
    func inputFiles(of step: Step, context: StepContext) -> [(name: String, url: URL)] {
        switch step.kind {
        case .load:
            let directory = LoadStep.dataDirectory(for: step, context: context)
            return MNIST.FileRole.all.map { role in
                ("\(step.string("dataset")) \(role)", MNIST.locate(role, in: directory) ?? directory.appendingPathComponent(role.canonicalName + ".gz"))
            }
        case .augmentWithFeedback:
            let folder = AugmentWithFeedbackStep.folder(step, context: context)
            let names = (try? FileManager.default.subpathsOfDirectory(atPath: folder.path)) ?? []
            return names.sorted().filter { !$0.hasPrefix(".") && !$0.contains("/.") && $0 != "README.md" }
                .map { (step.string("folder") + "/" + $0, folder.appendingPathComponent($0)) }
                .filter { (try? $0.1.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        case .finetune:
            return [(step.string("model"), FinetuneStep.modelFile(step, context: context))]
        default:
            return []
        }
    }

    /// The content each input file of `step` was keyed by, by path (see `StepContext.expectedContent`).
    func keyedContent(of step: Step, fingerprint: StepFingerprint, context: StepContext) -> [String: String] {
        var content: [String: String] = [:]
        for (display, url) in inputFiles(of: step, context: context) {
            if let hash = fingerprint.files[display], hash.hasPrefix("sha256:") { content[url.path] = hash }
        }
        return content
    }

    /// The planner's view of every step: name, inputs with their producers, fingerprint. With `--force` every
    /// input file is hashed in full (the stat cache is not trusted), so what is computed is keyed by content.
    /// A data file that is not a regular file (a directory, a FIFO) is refused without being opened.
    func planSteps(_ workflow: Workflow, name: String, fingerprinter: inout FileFingerprinter) throws -> [PlanStep] {
        let quiet: @Sendable (String) -> Void = { _ in }
        fingerprinter.trustStatCache = options.mode != .force
        return try workflow.steps.map { step in
            let ctx = context(for: step, workflowName: name, log: quiet, progress: quiet)
            var parameters = step.parameters.mapValues(\.description)
            parameters["seed"] = String(ctx.seed)
            var files: [String: String] = [:]
            for (display, url) in inputFiles(of: step, context: ctx) {
                do {
                    files[display] = FileManager.default.fileExists(atPath: url.path) ? try fingerprinter.contentHash(of: url) : "missing"
                } catch let error as FileError where step.kind == .load {
                    throw DataError(.unreadable, file: error.path, error.reason)
                }
            }
            let inputs = step.inputs.compactMap { ref in ref.producer.map { StepInput(artifact: ref.name, producer: $0) } }
            return PlanStep(name: step.name, inputs: inputs,
                            fingerprint: StepFingerprint(text: step.normalizedText, parameters: parameters, files: files))
        }
    }

    /// Checks that the data a load step needs is there before anything runs (exit 4 otherwise).
    func checkData(_ workflow: Workflow) throws {
        for step in workflow.steps where step.kind == .load {
            let quiet: @Sendable (String) -> Void = { _ in }
            let ctx = context(for: step, workflowName: "", log: quiet, progress: quiet)
            let directory = LoadStep.dataDirectory(for: step, context: ctx)
            for role in MNIST.FileRole.all {
                _ = try MNIST.file(role, in: directory)
            }
        }
    }

    /// `stepwise plan`: one line per step, nothing run, nothing written but the cache's stat memo (a corrupt
    /// entry is reported through `warn`, a whole line starting with "warning: ", and left in place).
    public func plan(warn: (String) -> Void) throws -> [String] {
        let (workflow, name) = try loadChecked()
        let cache = CacheStore(outputs: outputs)
        var fingerprinter = FileFingerprinter(cache: cache)
        let steps = try planSteps(workflow, name: name, fingerprinter: &fingerprinter)
        try? fingerprinter.save()
        let previous = try RunHistory(outputs: outputs, workflow: name).previousRun()
        let planner = Planner(workflow: name, steps: steps, previous: previous, mode: options.mode)
        let plan = try planner.plan { key in cache.presence(of: key, readOnly: true) { warn($0.description) } }
        return plan.lines
    }
}
