import Foundation
import Synchronization

/// Whether a run got as far as its run folder; `runSteps` says so once it has begun it.
final class RunAttempt: Sendable {
    private let id = Mutex<String?>(nil)

    func began(_ runID: String) { id.withLock { $0 = runID } }

    var runID: String? { id.withLock { $0 } }
}

extension WorkflowRunner {
    /// `stepwise run`: check, lock, plan, run what must run, store results, write the report.
    ///
    /// Every run that finds its workflow is recorded under Outputs/<workflow>/runs/, also one that ends before
    /// its first step: data missing, a step-file or plan error (`failed`), the lock held by another run
    /// (`refused`), a signal while waiting (`interrupted`). Such a run also prints its header line (in the plain
    /// style, for cron logs) before the error propagates. A signal turns any error into `RunInterrupted`.
    public func run(style: ProgressReporter.Style,
                    output: @escaping @Sendable (String) -> Void = ProgressReporter.standardError) throws -> RunSummary {
        let attempt = RunAttempt()
        do {
            return try runSteps(style: style, output: output, attempt: attempt)
        } catch {
            if attempt.runID != nil { throw error }   // its run.json already says how it ended
            throw recordEarlyEnd(error, style: style, output: output)
        }
    }

    /// Marks a run that `error` stopped after it began its folder: `failed`, or `interrupted` if a signal asked it
    /// to stop (then the error to throw is `RunInterrupted`). The caller has settled the cache writes.
    func recordFailure(_ error: any Error, in directory: inout RunDirectory, reporter: ProgressReporter) -> any Error {
        guard let signal = options.interruption?.signal else {
            try? directory.finish(status: .failed, error: "\(error)")
            recordInIndex(directory, keepFolder: true, reporter: reporter)
            return error
        }
        let finished = directory.record.steps.filter { $0.outcome == .computed || $0.outcome == .cached }.map(\.name)
        let how = RunInterrupted.explain(signal: signal, error: error)
        reporter.info(step: nil, "\(how); the cache writes of the finished steps are done")
        try? directory.finish(status: .interrupted, error: how)
        recordInIndex(directory, keepFolder: true, reporter: reporter)
        return RunInterrupted(signal: signal, runID: directory.record.id, finished: finished)
    }

    /// Writes the record of a run that ended before its run folder existed; returns the error to throw.
    private func recordEarlyEnd(_ error: any Error, style: ProgressReporter.Style,
                                output: @escaping @Sendable (String) -> Void) -> any Error {
        let signal = options.interruption?.signal
        // A workflow that cannot be found has no place for a record.
        guard !(error is WorkflowNotFound), let name = try? locateWorkflow().name else {
            return signal.map { RunInterrupted(signal: $0) } ?? error
        }
        let status: RunStatus
        if signal != nil {
            status = .interrupted
        } else if let lock = error as? LockError, lock.code == .held {
            status = .refused
        } else {
            status = .failed
        }
        let message = signal.map { "interrupted by \(RunInterrupted.name(of: $0))" } ?? "\(error)"
        let directory = try? RunDirectory.recordEarlyEnd(history: history(name), workflow: name,
                                                        mode: options.mode, status: status, error: message, seed: options.seed)
        if let directory {
            try? RunIndex(history: history(name))
                .append(RunIndex.entry(for: directory.record, metrics: nil, commit: GitInfo.commit(at: projectRoot), folder: true))
        }
        if case .plain = style, let directory {
            // The same header a run that gets to its steps prints, so a cron log shows which attempt this was.
            (try? ProgressReporter(style: style, output: output))?
                .info(step: nil, "run \(directory.record.id) of \(name), seed \(options.seed): \(status.rawValue) before the first step")
        }
        return signal.map { RunInterrupted(signal: $0, runID: directory?.record.id) } ?? error
    }
}

extension WorkflowRunner {
    /// Appends the finished run's line to its workflow's run index. With `keepFolder` false the record goes into
    /// the line and the run's folder (run.json and log.txt only) is removed. The headline metrics are the
    /// workflow's metrics.json if this run's plan chose it (the step that writes it was computed or cached).
    /// A failure to write the index is a warning: the run itself has ended as recorded.
    func recordInIndex(_ directory: RunDirectory, keepFolder: Bool, reporter: ProgressReporter) {
        let record = directory.record
        let history = self.history(record.workflow)
        let writesMetrics = record.steps.last { step in
            (step.wrote ?? [:]).keys.contains { $0.hasSuffix("/metrics.json") }
        }
        var metrics: Data?
        if record.status == .succeeded, let step = writesMetrics, step.outcome == .computed || step.outcome == .cached {
            metrics = FileManager.default.contents(atPath: history.workflowURL.appendingPathComponent("metrics.json").path)
        }
        let entry = RunIndex.entry(for: record, metrics: metrics, commit: GitInfo.commit(at: projectRoot), folder: keepFolder)
        do {
            try RunIndex(history: history).append(entry)
        } catch {
            reporter.warning("warning: the run index was not updated: \(error)")
            return
        }
        if !keepFolder {
            try? FileManager.default.removeItem(at: directory.url)
        }
    }
}
