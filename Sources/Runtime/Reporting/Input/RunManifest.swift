import Foundation

/// What ran, when, from which source: enough to reproduce a report.
public struct RunManifest: Sendable, Equatable {
    /// One step of the workflow as it ran.
    public struct Step: Sendable, Equatable {
        /// Where the step was when the report was written: the step writing the report has no time yet.
        public enum State: String, Sendable, Equatable {
            /// Ran or came from the cache; `seconds` and `cached` say which and how long.
            case finished
            /// The step writing the report: still running, its time is in the log and run.json.
            case running
            /// Not run (yet) in this run: after the step writing the report, or outside `--only`/`--from`.
            case notRun
        }

        public var name: String
        /// Resolved parameters (overrides applied), in the order the step declares them.
        public var parameters: [(key: String, value: String)]
        public var seconds: Double
        /// True when the step's results came from the cache instead of running.
        public var cached: Bool
        public var state: State = .finished

        public init(name: String, parameters: [(key: String, value: String)], seconds: Double, cached: Bool) {
            self.name = name
            self.parameters = parameters
            self.seconds = seconds
            self.cached = cached
        }

        public static func == (a: Step, b: Step) -> Bool {
            a.name == b.name && a.seconds == b.seconds && a.cached == b.cached && a.state == b.state
                && a.parameters.elementsEqual(b.parameters) { $0.key == $1.key && $0.value == $1.value }
        }
    }

    public var workflow: String
    /// When the run started.
    public var date: Date
    /// The source tree's commit, when the workflow lives in a git checkout.
    public var gitCommit: String?
    public var seed: UInt64?
    public var steps: [Step]
    /// The run's folder under `Outputs/<workflow>/runs/`, when the runner has already made one.
    public var runFolder: String?
    /// The arrows between the steps, for the report's pipeline graph (none: no graph).
    public var edges: [PipelineGraph.Edge] = []
    /// Every step's resolved parameters as `step.key=value`, canonical as the run index has them.
    public var parameters: [String] = []
    /// The newest earlier run with metrics, from the run index: what "Compared with the previous run" compares with.
    public var previous: RunIndexEntry?
    /// The CPU the run ran on, and the runner and engine version (kernel path included) that computed it.
    public var cpu: String?
    public var engine: String?

    public init(workflow: String, date: Date, gitCommit: String? = nil, seed: UInt64? = nil, steps: [Step],
                runFolder: String? = nil, cpu: String? = nil, engine: String? = nil) {
        self.cpu = cpu
        self.engine = engine
        self.workflow = workflow
        self.date = date
        self.gitCommit = gitCommit
        self.seed = seed
        self.steps = steps
        self.runFolder = runFolder
    }

    /// The run's folder name under `Outputs/<workflow>/runs/`: the runner's folder, else the UTC start time as
    /// the runner names its folders (`Timestamp.folderName`), e.g. `2025-03-14T09-15-02Z` (no colons, so it is a
    /// valid file name everywhere, and it sorts by time).
    public var runFolderName: String {
        runFolder ?? Timestamp.folderName(date)
    }

    /// The manifest as the step `writer` sees it while it writes the report: that step is still running and the
    /// steps after it have not run. Steps with no record (neither a time nor a cache hit: outside `--only` or
    /// `--from`) are marked as not run rather than shown as having run in 0 s.
    public func writtenBy(_ writer: String) -> RunManifest {
        var copy = self
        guard let index = steps.firstIndex(where: { $0.name == writer }) else { return copy }
        for i in copy.steps.indices {
            if i == index {
                copy.steps[i].state = .running
            } else if i > index || (!copy.steps[i].cached && copy.steps[i].seconds == 0) {
                copy.steps[i].state = .notRun
            }
        }
        return copy
    }

    /// The pipeline graph as this report sees it: steps that ran (the one writing the report among them), came
    /// from the cache, or did not run.
    public var graph: PipelineGraph {
        PipelineGraph(steps: steps.map { step in
            let state: PipelineGraph.State = switch step.state {
            case .running: .ran
            case .notRun: .notRun
            case .finished: step.cached ? .cached : .ran
            }
            return (step.name, state)
        }, edges: edges)
    }

    /// ISO 8601 UTC time, e.g. `2025-03-14T09:15:02Z`.
    public var isoDate: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
