import Foundation
import NeuralNet
import StepDSL
import Tensor

extension WorkflowRunner {
    /// `stepwise run`: check, lock, plan, run what must run, store results, write the report.
    public func run(style: ProgressReporter.Style, output: @escaping @Sendable (String) -> Void = ProgressReporter.standardError) throws -> RunSummary {
        let early = try ProgressReporter(style: style, output: output)
        let (workflow, name) = try loadChecked()
        try checkData(workflow)
        let workflowOutputs = outputs.appendingPathComponent(name)
        let lock = try WorkflowLock.acquire(workflow: name, directory: workflowOutputs, wait: options.wait)
        defer { lock.release() }

        let cache = CacheStore(outputs: outputs)
        let history = RunHistory(outputs: outputs, workflow: name)

        var fingerprinter = FileFingerprinter(cache: cache)
        let steps = try planSteps(workflow, name: name, fingerprinter: &fingerprinter)
        try? fingerprinter.save()

        // Cron's common case: the retrain workflow with nothing new in the feedback folder since its last complete
        // run has nothing to do, even though the model file it fine-tunes has changed (it promoted it). Everything
        // else must match that run: step texts, parameters (so --set counts) and the other files read.
        if options.mode == .all, workflow.steps.contains(where: { $0.kind == .augmentWithFeedback }) {
            let done = try history.records().last { $0.status == .succeeded && $0.mode == "all" }
            let unchanged = done.map { record in
                zip(workflow.steps, steps).allSatisfy { step, planned in
                    guard let before = record.steps.first(where: { $0.name == step.name })?.fingerprint,
                          before.text == planned.fingerprint.text, before.parameters == planned.fingerprint.parameters
                    else { return false }
                    return step.kind == .finetune || before.files == planned.fingerprint.files
                }
            } ?? false
            if let done, unchanged {
                let folder = workflow.steps.first { $0.kind == .augmentWithFeedback }!.string("folder")
                return RunSummary(runID: nil, ran: [], cached: [], message:
                    "nothing new in \(folder)/ since run \(done.id); nothing to do", reportPath: nil)
            }
        }

        let planner = Planner(workflow: name, steps: steps, previous: try history.previousRun(), mode: options.mode)
        let plan = try planner.plan { key in cache.presence(of: key) { early.warning($0.description) } }

        var directory = try RunDirectory.begin(history: history, plan: plan, mode: options.mode,
                                               fingerprints: Dictionary(uniqueKeysWithValues: steps.map { ($0.name, $0.fingerprint) }),
                                               seed: options.seed)
        let reporter = try ProgressReporter(style: style, log: directory.logURL, output: output)
        defer { reporter.finish() }
        reporter.info(step: nil, "run \(directory.record.id) of \(name), seed \(options.seed)")
        for planned in plan.steps {
            reporter.info(step: planned.name, planned.action.description)
        }

        // Entries are written in the background while later steps run; every exit below waits for them.
        let writer = CacheWriter()
        defer { _ = writer.finish() }
        var memory: [String: ArtifactValue] = [:]   // artifact name -> value, for this run
        var ran: [String] = []
        var cachedSteps: [String] = []
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
                throw StepFailure("\(ref.name) (made by step \(producer)) is not in the cache; make it with `stepwise run \(name) --from \(producer)`")
            case .discarded(let warning):
                reporter.warning(warning.description)
                throw StepFailure("\(ref.name) (made by step \(producer)) was corrupt in the cache and has been discarded; rerun with `stepwise run \(name) --from \(producer)`")
            }
        }

        // Any failure below marks the run failed in run.json before it propagates.
        do {
            for (step, planned) in zip(workflow.steps, plan.steps) {
                // A failed background write stops the run at the next step rather than at the end.
                if writer.firstFailure != nil, let failure = settleWrites(writer, workflow: workflow, reporter: reporter) {
                    throw failure
                }
                var action = planned.action
                if case .cached(let key, _) = action, step.kind == .save,
                   !FileManager.default.fileExists(atPath: context(for: step, workflowName: name, log: { _ in }, progress: { _ in })
                       .resolve(step.string("path")).path) {
                    // The entry says the model was saved, but the file is gone: save it again from the cache.
                    action = .run(key: key, reasons: [.cacheEntryMissing])
                    reporter.info(step: step.name, "runs: \(step.string("path")) is missing")
                }
                switch action {
                case .skip:
                    continue
                case .cached:
                    cachedSteps.append(step.name)
                    if step.kind == .plot {
                        // Charts live in Outputs/; put them back if someone deleted or edited them.
                        if case .files(let files)? = try? artifact(step.outputs[0]) {
                            try restore(files, into: workflowOutputs)
                        }
                    }
                    try directory.finishStep(step.name, outcome: .cached, seconds: 0)
                    continue
                case .run(let key, _):
                    let started = Date()
                    let stepReporter = reporter
                    var ctx = context(for: step, workflowName: name,
                                      log: { stepReporter.info(step: step.name, $0) },
                                      progress: { stepReporter.progress(step: step.name, $0) })
                    ctx.manifest = manifest(workflow, name: name, record: directory.record, folder: directory.url.lastPathComponent)
                    ctx.expectedContent = keyedContent(of: step, fingerprint: steps.first { $0.name == step.name }!.fingerprint, context: ctx)
                    reporter.info(step: step.name, "running")
                    do {
                        let inputs = try step.inputs.map(artifact)
                        let outputs = try StepInterpreter.run(step, inputs: inputs, context: ctx)
                        for (ref, value) in zip(step.outputs, outputs) { memory[ref.name] = value }
                        let (slots, stepName, runID) = (step.outputs.map(\.name), step.name, directory.record.id)
                        writer.submit(step: step.name) {
                            var entry = SafeTensors()
                            for (slot, value) in zip(slots, outputs) {
                                try ArtifactCodec.encode(value, slot: slot, into: &entry)
                            }
                            return try cache.store(CachedOutputs(tensors: entry.entries, metadata: entry.metadata),
                                                   key: key, step: stepName, workflow: name, runID: runID).fileBytes
                        }
                    } catch {
                        try? directory.finishStep(step.name, outcome: .failed, seconds: Date().timeIntervalSince(started))
                        throw StepRunError(step: step.name, file: step.source.path, underlying: error)
                    }
                    let seconds = Date().timeIntervalSince(started)
                    reporter.info(step: step.name, String(format: "done in %.2fs", seconds))
                    ran.append(step.name)
                    try directory.finishStep(step.name, outcome: .computed, seconds: seconds)
                }
            }
            if let failure = settleWrites(writer, workflow: workflow, reporter: reporter) { throw failure }
        } catch {
            // The steps that finished before the failure stay cached: wait for their writes first.
            if let failure = settleWrites(writer, workflow: workflow, reporter: reporter) {
                reporter.warning("warning: \(failure)")
            }
            try? directory.finish(status: .failed)
            throw error
        }

        let reportURL = workflowOutputs.appendingPathComponent("report.md")
        let reportPath = FileManager.default.fileExists(atPath: reportURL.path) ? reportURL.path : nil
        try directory.finish(status: .succeeded)
        let message = ran.isEmpty
            ? "nothing to do: every step of \(name) is cached"
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
        return RunManifest(workflow: name, date: Timestamp.date(record.started) ?? Date(), gitCommit: GitInfo.commit(at: projectRoot),
                           seed: record.seed, steps: steps, runFolder: folder)
    }

    func restore(_ files: FilesValue, into folder: URL) throws {
        for (name, data) in files.files {
            let url = folder.appendingPathComponent(name)
            if (try? Data(contentsOf: url)) != data {
                try AtomicFile.write(data, to: url)
            }
        }
    }
}
