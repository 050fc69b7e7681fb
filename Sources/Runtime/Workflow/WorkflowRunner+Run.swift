import Foundation
import NeuralNet
import StepDSL
import Tensor

extension WorkflowRunner {
    /// `stepwise run` once its record is taken care of (see `run(style:output:)`): check, lock, sweep leftovers,
    /// plan, run what must run, store results, write the report.
    func runSteps(style: ProgressReporter.Style, output: @escaping @Sendable (String) -> Void, attempt: RunAttempt) throws -> RunSummary {
        let early = try ProgressReporter(style: style, output: output)
        let (workflow, name) = try loadChecked()
        try checkData(workflow)
        let workflowOutputs = workflowFolder(name)
        let lock = try WorkflowLock.acquire(workflow: name, directory: workflowOutputs, wait: options.wait,
                                            stop: { [interruption = options.interruption] in interruption?.isRequested ?? false })
        defer { lock.release() }
        let swept = sweepLeftovers(workflow, name: name)

        // Train saves the model that retrain fine-tunes and replaces: a workflow that writes a file another may
        // write holds that file's lock too, for the whole run.
        let modelLocks = try lockWrittenFiles(workflow, name: name)
        defer { modelLocks.forEach { $0.release() } }

        let cache = CacheStore(outputs: outputs)
        let history = self.history(name)

        // The feedback folder is copied first; keys and the step both use the copy.
        FeedbackSnapshot.removeLeftovers(in: workflowOutputs)
        let snapshots = try takeSnapshots(workflow, name: name)
        defer { snapshots.values.forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }

        var fingerprinter = FileFingerprinter(cache: cache)
        let steps = try planSteps(workflow, name: name, fingerprinter: &fingerprinter, snapshots: snapshots)
        try? fingerprinter.save()
        // What this run's steps read, by workspace path: a step replacing one of these files checks it still holds it.
        var readFiles: [String: String] = [:]
        for step in workflow.steps {
            let ctx = context(for: step, workflowName: name, log: { _ in }, progress: { _ in })
            for url in step.definition.sharedFiles(of: step, context: ctx).reads {
                let path = ctx.workspacePath(url)
                if let hash = steps.first(where: { $0.name == step.name })?.fingerprint.files[path] { readFiles[path] = hash }
            }
        }

        let planner = Planner(workflow: name, steps: steps, previous: try history.previousRun(steps: Set(steps.map(\.name))), mode: options.mode,
                              command: options.command(mode:))
        let plan = try planner.plan { key in cache.presence(of: key) { early.warning($0.description) } }

        var directory = try RunDirectory.begin(history: history, plan: plan, mode: options.mode,
                                               fingerprints: Dictionary(uniqueKeysWithValues: steps.map { ($0.name, $0.fingerprint) }),
                                               seed: options.seed)
        attempt.began(directory.record.id)
        let reporter = try ProgressReporter(style: style, log: directory.logURL, output: output)
        defer { reporter.finish() }
        reporter.info(step: nil, "run \(directory.record.id) of \(name), seed \(options.seed)")
        for line in swept.lines { reporter.info(step: nil, line) }
        for planned in plan.steps {
            reporter.info(step: planned.name, planned.action.description)
        }

        // Entries are written in the background while later steps run; every exit below waits for them.
        let writer = CacheWriter()
        defer { _ = writer.finish() }
        var memory: [String: ArtifactValue] = [:]   // artifact name -> value, for this run
        var ran: [String] = []
        var cachedSteps: [String] = []
        var workspaceChanged = !swept.lines.isEmpty   // anything put back, removed or swept keeps the run's folder
        let producerKey = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.name, $0.key) })

        /// An artifact's value: made in this run, or read from its producer's cache entry.
        func artifact(_ ref: ArtifactRef) throws -> ArtifactValue {
            if let value = memory[ref.name] { return value }
            guard let producer = ref.producer, let key = producerKey[producer] else {
                throw StepFailure("artifact \(ref.name) has no producing step")
            }
            switch cache.load(key) {
            case .hit(let outputs, _):
                let value = try ArtifactCodec.decode(slot: ref.name, from: SafeTensors(entries: outputs.tensors, metadata: outputs.metadata))
                memory[ref.name] = value
                return value
            case .miss:
                throw StepFailure("\(ref.name) (made by step \(producer)) is not in the cache; make it with `\(options.command(mode: .from(producer)))`")
            case .discarded(let warning):
                reporter.warning(warning.description)
                throw StepFailure("\(ref.name) (made by step \(producer)) was corrupt in the cache and has been discarded; rerun with `\(options.command(mode: .from(producer)))`")
            }
        }

        /// A step whose entry is in the cache: the workspace must hold what the entry's step wrote (the model,
        /// the report), so what differs is put back.
        func takeFromCache(_ step: Step, key: CacheKey, started: Date) throws {
            cachedSteps.append(step.name)
            let (wrote, changed) = try restoreWorkspace(step, key: key, cache: cache, workflowName: name, reporter: reporter)
            workspaceChanged = workspaceChanged || changed
            try directory.finishStep(step.name, outcome: .cached, seconds: Date().timeIntervalSince(started), wrote: wrote)
        }

        // Any failure below marks the run failed in run.json before it propagates.
        do {
            for (step, planned) in zip(workflow.steps, plan.steps) {
                try options.interruption?.check()
                // A failed background write stops the run at the next step rather than at the end.
                if writer.firstFailure != nil, let failure = settleWrites(writer, workflow: workflow, reporter: reporter) {
                    throw failure
                }
                switch planned.action {
                case .skip:
                    continue
                case .cached(let key, _):
                    try takeFromCache(step, key: key, started: Date())
                    continue
                case .run(let key, _):
                    let started = Date()
                    // Another process may be computing this very entry (a sweep's points): wait for it and read
                    // its result instead, when asked to.
                    var claim: ComputeClaim?
                    if options.claimComputations {
                        claim = try ComputeClaim.acquire(key, in: cache, stop: { [interruption = options.interruption] in
                            interruption?.isRequested ?? false
                        }, waited: { reporter.info(step: step.name, "waiting for another process computing the same result (\($0))") })
                        if case .hit = cache.load(key) {
                            claim?.release()
                            reporter.info(step: step.name, "another process computed it meanwhile: read from the cache")
                            try takeFromCache(step, key: key, started: started)
                            continue
                        }
                    }
                    var wroteNow: [String: String] = [:]
                    let stepReporter = reporter
                    var ctx = context(for: step, workflowName: name,
                                      log: { stepReporter.info(step: step.name, $0) },
                                      progress: { stepReporter.progress(step: step.name, $0) })
                    ctx.manifest = manifest(workflow, name: name, record: directory.record, folder: directory.url.lastPathComponent)
                    ctx.readFiles = readFiles
                    ctx.snapshot = snapshots[step.name]
                    ctx.expectedContent = keyedContent(of: step, fingerprint: steps.first { $0.name == step.name }!.fingerprint, context: ctx,
                                                       snapshots: snapshots)
                    reporter.info(step: step.name, "running")
                    do {
                        let inputs = try step.inputs.map(artifact)
                        let outputs = try StepKinds.run(step, inputs: inputs, context: ctx)
                        for (ref, value) in zip(step.outputs, outputs) { memory[ref.name] = value }
                        let (slots, stepName, runID) = (step.outputs.map(\.name), step.name, directory.record.id)
                        let workspace = ctx.workspace
                        wroteNow = workspace.files.mapValues(WorkspaceFiles.hash)
                        writer.submit(step: step.name) { [claim] in
                            defer { claim?.release() }
                            var entry = SafeTensors()
                            for (slot, value) in zip(slots, outputs) {
                                try ArtifactCodec.encode(value, slot: slot, into: &entry)
                            }
                            try workspace.encode(into: &entry)
                            return try cache.store(CachedOutputs(tensors: entry.entries, metadata: entry.metadata),
                                                   key: key, step: stepName, workflow: name, runID: runID).fileBytes
                        }
                    } catch {
                        claim?.release()
                        try? directory.finishStep(step.name, outcome: options.interruption?.isRequested == true ? .interrupted : .failed,
                                                  seconds: Date().timeIntervalSince(started))
                        throw StepRunError(step: step.name, file: step.source.path, underlying: error)
                    }
                    let seconds = Date().timeIntervalSince(started)
                    reporter.info(step: step.name, String(format: "done in %.2fs", seconds))
                    ran.append(step.name)
                    try directory.finishStep(step.name, outcome: .computed, seconds: seconds, wrote: wroteNow)
                }
            }
            if let failure = settleWrites(writer, workflow: workflow, reporter: reporter) { throw failure }
        } catch {
            // The steps that finished before the failure stay cached: wait for their writes first.
            if let failure = settleWrites(writer, workflow: workflow, reporter: reporter) {
                reporter.warning("warning: \(failure)")
            }
            throw recordFailure(error, in: &directory, reporter: reporter)
        }

        let reportURL = workflowOutputs.appendingPathComponent("report.md")
        let reportPath = FileManager.default.fileExists(atPath: reportURL.path) ? reportURL.path : nil
        try directory.finish(status: .succeeded)
        // A run that only read the cache and changed nothing is a line in the index, not a folder.
        recordInIndex(directory, keepFolder: !ran.isEmpty || workspaceChanged, reporter: reporter)
        let feedbackFolder = workflow.steps.lazy.compactMap { $0.definition.snapshotFolder(of: $0) }.first
        let lastRun = plan.steps.compactMap { step -> String? in
            if case .cached(_, let run) = step.action { return run } else { return nil }
        }.max()
        let message = ran.isEmpty
            ? (feedbackFolder.map { "nothing new in \($0)/, and the model and steps are as run \(lastRun ?? "?") left them; nothing to do" }
                ?? "nothing to do: every step of \(name) is cached")
            : "ran \(ran.joined(separator: ", "))" + (cachedSteps.isEmpty ? "" : "; cached \(cachedSteps.joined(separator: ", "))")
        return RunSummary(runID: directory.record.id, ran: ran, cached: cachedSteps, message: message, reportPath: reportPath)
    }

    /// Waits for the background cache writes and logs what they stored. Returns the first failed write as the
    /// run's error (its step's results were used, but the next run could not find them); any later failures
    /// are logged as warnings.
    func settleWrites(_ writer: CacheWriter, workflow: Workflow, reporter: ProgressReporter) -> StepRunError? {
        let (stored, failures) = writer.finish()
        for entry in stored {
            let ms = String(format: "%.0f", entry.seconds * 1000)
            reporter.info(step: entry.step, "stored its results in the cache: \(ByteCount.format(entry.bytes)) in \(ms) ms, in the background")
        }
        let errors = failures.map { failure in
            let file = workflow.steps.first { $0.name == failure.step }?.source.path ?? ""
            // Only a failed write is about the disk; a failure to convert the outputs is not.
            let advice = failure.error is FileError ? "; check the space and permissions of Outputs/.cache and run again" : ""
            return StepRunError(step: failure.step, file: file, underlying: CacheError(
                "storing its results in the cache failed: \(failure.error)\(advice)"))
        }
        for later in errors.dropFirst() { reporter.warning("warning: \(later)") }
        return errors.first
    }

    /// The run as the report's manifest shows it: each step's resolved parameters, time and cache use so far.
    func manifest(_ workflow: Workflow, name: String, record: RunRecord, folder: String) -> RunManifest {
        let steps = workflow.steps.map { step -> RunManifest.Step in
            let r = record.steps.first { $0.name == step.name }
            let parameters = step.schema.parameters.map { (key: $0.name, value: step.parameters[$0.name]?.description ?? "") }
            return RunManifest.Step(name: step.name, parameters: parameters, seconds: r?.seconds ?? 0, cached: r?.cached ?? false)
        }
        var manifest = RunManifest(workflow: name, date: Timestamp.date(record.started) ?? Date(), gitCommit: GitInfo.commit(at: projectRoot),
                                   seed: record.seed, steps: steps, runFolder: folder, cpu: record.cpu,
                                   engine: record.runnerVersion)
        manifest.edges = PipelineGraph.edges(workflow.steps.map { step in
            (step.name, step.inputs.compactMap { ref in ref.producer.map { StepInput(artifact: ref.name, producer: $0) } })
        })
        manifest.parameters = RunIndex.entry(for: record, metrics: nil, commit: nil, folder: true).parameters
        manifest.previous = RunIndex(history: history(name))
            .latest(1) { $0.metrics["test_accuracy"] != nil && $0.id != record.id }.last
        return manifest
    }

    /// A cached step's workspace files (see `WorkspaceFiles`): each file whose content differs from the entry's
    /// copy is put back. When nothing differs this reads the entry's header and stats the files (the
    /// fingerprinter's memo), nothing more. Returns the files and their hashes, for the run record, and whether
    /// any file was put back or removed.
    func restoreWorkspace(_ step: Step, key: CacheKey, cache: CacheStore, workflowName: String,
                          reporter: ProgressReporter) throws -> (wrote: [String: String], changed: Bool) {
        let ctx = context(for: step, workflowName: workflowName, log: { reporter.info(step: step.name, $0) }, progress: { _ in })
        var fingerprinter = FileFingerprinter(cache: cache)
        defer { try? fingerprinter.save() }
        let (recorded, stale, extra) = staleWorkspaceFiles(key: key, cache: cache, context: ctx, fingerprinter: &fingerprinter)
        for path in extra {
            try FileManager.default.removeItem(at: ctx.resolve(path))
        }
        if !extra.isEmpty {
            reporter.info(step: step.name, "removed \(Self.listed(extra)): not among this step's results")
        }
        guard !stale.isEmpty else { return (recorded, !extra.isEmpty) }
        let entry: SafeTensors
        switch cache.load(key) {
        case .hit(let outputs, _):
            entry = SafeTensors(entries: outputs.tensors, metadata: outputs.metadata)
        case .miss:
            throw StepFailure("the cache entry of step \(step.name) disappeared during the run; run again")
        case .discarded(let warning):
            reporter.warning(warning.description)
            throw StepFailure("the cache entry of step \(step.name) was corrupt and has been discarded; run again to recompute it")
        }
        let files = try WorkspaceFiles.decode(from: entry)
        var putBack: [String] = []
        for path in stale {
            guard let file = files[path] else { continue }
            if try step.definition.restore(step, path: path, data: file.data, context: ctx) {
                putBack.append(path)
            }
        }
        if !putBack.isEmpty {
            reporter.info(step: step.name, "put back \(Self.listed(putBack)) from the cache (missing or changed since)")
        }
        return (files.mapValues(\.hash), true)
    }

    /// `a, b and 3 more`: paths for a log line.
    static func listed(_ paths: [String], limit: Int = 3) -> String {
        paths.count <= limit ? paths.joined(separator: ", ")
            : paths.prefix(limit).joined(separator: ", ") + " and \(paths.count - limit) more"
    }

    /// What a cache entry's header says its step left in the workspace (path to hash), the files of those the
    /// workspace does not hold as recorded (missing or different), and files in the step's own folders that it
    /// did not write (a later run's charts), each sorted.
    func staleWorkspaceFiles(key: CacheKey, cache: CacheStore, context: StepContext, fingerprinter: inout FileFingerprinter)
        -> (recorded: [String: String], stale: [String], extra: [String]) {
        guard let header = cache.header(of: key) else { return ([:], [], []) }
        let (recorded, folders) = WorkspaceFiles.recorded(in: header)
        let stale = recorded.keys.sorted().filter { path in
            let url = context.resolve(path)
            guard FileManager.default.fileExists(atPath: url.path) else { return true }
            return (try? fingerprinter.contentHash(of: url)) != recorded[path]
        }
        var extra: [String] = []
        for folder in folders {
            let names = (try? FileManager.default.subpathsOfDirectory(atPath: context.resolve(folder).path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") && !name.contains("/.") {
                let path = folder + "/" + name
                var isDirectory: ObjCBool = false
                if recorded[path] == nil, FileManager.default.fileExists(atPath: context.resolve(path).path, isDirectory: &isDirectory),
                   !isDirectory.boolValue {
                    extra.append(path)
                }
            }
        }
        return (recorded, stale, extra)
    }

    /// Locks every file outside Outputs/<workflow>/ the workflow writes or fine-tunes (the model), in path order.
    func lockWrittenFiles(_ workflow: Workflow, name: String) throws -> [WorkflowLock] {
        let quiet: @Sendable (String) -> Void = { _ in }
        var urls: [String: URL] = [:]
        for step in workflow.steps {
            let ctx = context(for: step, workflowName: name, log: quiet, progress: quiet)
            let shared = step.definition.sharedFiles(of: step, context: ctx)
            for url in shared.reads + shared.replaces { urls[ctx.workspacePath(url)] = url }
        }
        var locks: [WorkflowLock] = []
        do {
            for (path, url) in urls.sorted(by: { $0.key < $1.key }) {
                locks.append(try WorkflowLock.acquire(writing: url, display: path, workflow: name, wait: options.wait,
                                                      stop: { [interruption = options.interruption] in interruption?.isRequested ?? false }))
            }
        } catch {
            locks.forEach { $0.release() }
            throw error
        }
        return locks
    }

    /// Copies the folder of each step that reads a copy (augment-with-feedback's feedback folder); by step name,
    /// the copy's folder.
    func takeSnapshots(_ workflow: Workflow, name: String) throws -> [String: URL] {
        let root = FeedbackSnapshot.root(in: workflowFolder(name))
        var snapshots: [String: URL] = [:]
        for step in workflow.steps {
            guard let folder = step.definition.snapshotFolder(of: step) else { continue }
            let ctx = context(for: step, workflowName: name, log: { _ in }, progress: { _ in })
            let copy = root.appendingPathComponent(step.name, isDirectory: true)
            try FeedbackSnapshot.take(of: ctx.resolve(folder), into: copy)
            snapshots[step.name] = copy
        }
        return snapshots
    }
}
