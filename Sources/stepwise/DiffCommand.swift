import ArgumentParser
import Foundation
import Runtime

/// `stepwise diff [RUN_A] [RUN_B] [--md]`.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two runs (parameters, metrics, per-class accuracy, steps run again) and what it did.",
        discussion: "Without runs: the latest run against the one before it; with one: that run against the one before it."
    )

    @Argument(help: ArgumentHelp("The older run's id (or a unique prefix).", valueName: "run-a"))
    var runA: String?

    @Argument(help: ArgumentHelp("The newer run's id (or a unique prefix).", valueName: "run-b"))
    var runB: String?

    @Option(name: .shortAndLong, help: "The workflow whose runs to compare.")
    var workflow: String = "train"

    @Flag(help: "Print Markdown tables, ready for a pull request.")
    var md = false

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let history = RunHistory(outputs: project.root.appendingPathComponent("Outputs"), workflow: workflow)
        let comparison = try RunComparison.between(runA, runB, in: history)
        print(md ? comparison.markdown : comparison.text, terminator: "")
    }
}
