import Foundation
import StepDSL

/// What a step interpreter may use besides its inputs: where things live, its seed, how to report progress.
public struct StepContext: Sendable {
    /// The folder holding Workflows/, Outputs/ and incorrect_predictions/.
    public var projectRoot: URL
    /// Outputs/<workflow>/.
    public var workflowOutputs: URL
    /// The MNIST folder (from --data, STEPWISE_DATA or ./data/mnist).
    public var dataDirectory: URL
    /// This step's seed, derived from the run seed and the step's name (a `seed` parameter overrides it).
    public var seed: UInt64
    /// Worker threads for training and inference: the step's own `threads` parameter if set, else `--threads`.
    public var threads: Int
    /// A progress line for this step (shown live on a terminal, throttled in logs).
    public var progress: @Sendable (String) -> Void
    /// A line for the run's log (always kept).
    public var log: @Sendable (String) -> Void
    /// The run so far (steps, times, cache hits), for the report's manifest.
    public var manifest: RunManifest?
    /// The content (`sha256:<hex>`) each input file was keyed by, by path: a step that reads such a file checks
    /// that the bytes it decodes are those, so its results are never stored under another content's key.
    public var expectedContent: [String: String] = [:]
    /// True once SIGINT or SIGTERM asked the run to stop: long loops check it and end with `TrainingStopped`.
    public var isInterrupted: @Sendable () -> Bool = { false }
    /// Where the step records each file it writes outside the cache (see `WorkspaceFiles`).
    public var workspace = WorkspaceFiles()
    /// The files other steps of this run read and may be replaced (the model finetune started from), as
    /// `workspacePath` names them, with the content their keys hold. A step replacing one (save) checks that it
    /// still holds that content: a candidate is promoted only over the model it was judged against.
    public var readFiles: [String: String] = [:]
    /// For a step that reads a folder (augment-with-feedback): the copy taken when the run was planned, which
    /// the step reads instead of the live folder, so it uses exactly the files its key names.
    public var snapshot: URL?

    /// How keys, run records and workspace files name a file: relative to the project folder when inside it,
    /// absolute otherwise.
    public func workspacePath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let root = projectRoot.standardizedFileURL.path
        return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// The run as a report written by step `name` shows it (a step run outside a workflow run: just the
    /// workflow's name and the date).
    func reportManifest(writtenBy name: String) -> RunManifest {
        (manifest ?? RunManifest(workflow: workflowOutputs.lastPathComponent, date: Date(), steps: [])).writtenBy(name)
    }

    /// Records a report's top-level files (report, metrics, charts), as `ReportWriter` returned them, as the step's
    /// workspace files, so a cached run can put them back (the runs/ copy is the run's own), and logs where the
    /// report is.
    func keepReport(_ written: [URL], in folder: URL) throws -> FilesValue {
        workspace.own(folder: workspacePath(folder.appendingPathComponent(TrainingReportPage.charts)))
        var paths: [String] = []
        for url in written where !url.path.hasPrefix(folder.path + "/runs/") {
            let path = workspacePath(url)
            workspace.record(path, try Data(contentsOf: url))
            paths.append(path)
        }
        log("wrote \(folder.appendingPathComponent("report.md").path) and \(paths.count - 1) other files")
        return FilesValue(paths: paths.sorted())
    }

    /// A path from a step parameter: absolute as given, else relative to the project root.
    public func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : projectRoot.appendingPathComponent(path)
    }
}

/// A step failed while running. The runner adds which step and file.
public struct StepFailure: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
