import ArgumentParser
import Datasets
import Foundation
import Runtime

/// Options `run` and `plan` share.
struct WorkflowOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A workflow name under Workflows/ (train, retrain) or a path to a workflow folder.", valueName: "workflow"))
    var workflow: String

    @Option(help: ArgumentHelp("Run only this step; its inputs come from the cache.", valueName: "step"))
    var only: String?

    @Option(help: ArgumentHelp("Run this step and every step after it.", valueName: "step"))
    var from: String?

    @Flag(help: "Ignore the cache: run every step.")
    var force = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (repeatable), e.g. --set train.epochs=3.", valueName: "step.key=value"))
    var overrides: [String] = []

    @OptionGroup var settings: RunSettings

    var project: ProjectOptions { settings.project }

    func validate() throws {
        let chosen = [only != nil, from != nil, force].filter { $0 }.count
        guard chosen <= 1 else { throw ValidationError("--only, --from and --force cannot be combined; pick one") }
    }

    var mode: PlanMode {
        if let only { return .only(only) }
        if let from { return .from(from) }
        return force ? .force : .all
    }

    func runOptions(wait: Double = 0) -> RunOptions {
        RunOptions(workflow: workflow, mode: mode, overrides: overrides, dataDirectory: settings.dataDirectory,
                   seed: settings.seed, wait: wait, threads: settings.threads, dataFlag: settings.data,
                   projectFlag: project.projectPath)
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow; unchanged steps come from the cache.",
        discussion: """
            Checks every step file first (nothing runs if one is wrong), takes the workflow's lock (a second run \
            exits 3 unless --wait), sweeps what killed runs left behind, then runs the steps that must run. \
            Results: Outputs/<workflow>/report.md, metrics.json, charts/, and runs/<UTC timestamp>/ with run.json \
            and log.txt; every run is recorded there, also one that fails before its first step. Ctrl-C (SIGINT) \
            or SIGTERM stops after the current training batch, keeps the finished steps cached, marks the run \
            interrupted and exits 130 or 143.
            """
    )

    @OptionGroup var options: WorkflowOptions

    @Option(help: ArgumentHelp("If another run holds the lock, wait up to this many seconds for it.", valueName: "seconds"))
    var wait: Double = 0

    @Flag(help: "Print only errors.")
    var quiet = false

    func run() throws {
        let style = ProgressReporter.Style.detect(quiet: quiet)
        ExitStatusMapping.exitLine.withLock { $0 = !quiet }
        var runOptions = options.runOptions(wait: wait)
        runOptions.interruption = Interruption.install { line in
            // On a terminal, first clear the live progress line the signal cut short.
            ExitStatusMapping.printLine(ExitStatusMapping.timestamped ? line : "\r\u{1B}[K" + line)
        }
        let runner = WorkflowRunner(projectRoot: options.project.root, options: runOptions)
        let summary = try runner.run(style: style)
        let reporter = try ProgressReporter(style: style)
        reporter.info(step: nil, summary.message)
        if let report = summary.reportPath, !summary.ran.isEmpty {
            reporter.info(step: nil, "report: \(report)")
        }
        ExitStatusMapping.printExitLine(0)
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what `run` would do: per step, cached (and from which run) or runs (and exactly why).",
        discussion: "Nothing runs and nothing is written except the cache's memo of input files' sizes and times."
    )

    @OptionGroup var options: WorkflowOptions

    @Flag(help: "Print the pipeline as a Mermaid flowchart (each step: runs, from cache or not run).")
    var graph = false

    func run() throws {
        let runner = WorkflowRunner(projectRoot: options.project.root, options: options.runOptions())
        if graph {
            print(try runner.planGraph { ExitStatusMapping.printLine($0) }, terminator: "")
            return
        }
        let lines = try runner.plan { ExitStatusMapping.printLine($0) }
        for line in lines { print(line) }
    }
}
