import ArgumentParser
import Foundation
import Runtime

/// `stepwise runs [WORKFLOW] [--json]` and `stepwise runs prune --keep N`.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List a workflow's runs (changed parameters, metrics, time, cache use), or prune their folders.",
        subcommands: [List.self, Prune.self],
        defaultSubcommand: List.self
    )

    struct Target: ParsableArguments {
        @Argument(help: ArgumentHelp("The workflow whose runs to read.", valueName: "workflow"))
        var workflow: String = "train"

        @OptionGroup var project: ProjectOptions

        var history: RunHistory {
            RunHistory(outputs: project.root.appendingPathComponent("Outputs"), workflow: workflow)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "One row per run from Outputs/<workflow>/runs/index.jsonl, oldest first."
        )

        @OptionGroup var target: Target

        @Flag(help: "Print a JSON array instead of a table.")
        var json = false

        @Flag(help: "Also draw test accuracy across runs, labelled by what changed, into Outputs/<workflow>/run-charts/.")
        var chart = false

        func run() throws {
            let table = try RunTable(history: target.history)
            if chart {
                let drawn = try table.chart(workflow: target.workflow, in: RunTable.chartFolder(of: target.history))
                ExitStatusMapping.printLine("chart: \(drawn.png.path)")
            }
            if json {
                FileHandle.standardOutput.write(try table.json() + Data("\n".utf8))
            } else {
                print(table.text, terminator: "")
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete run folders beyond the newest N (never the last successful full run's); `cache gc` then keeps the entries of the runs kept."
        )

        @OptionGroup var target: Target

        @Option(help: "How many of the newest runs keep their folders.")
        var keep: Int

        func validate() throws {
            guard keep >= 1 else { throw ValidationError("--keep must be at least 1 (got \(keep))") }
        }

        func run() throws {
            let removed = try RunRetention(history: target.history).prune(keep: keep)
            for id in removed { print("removed run \(id)") }
            print("removed \(removed.count) run \(removed.count == 1 ? "folder" : "folders"); kept the newest \(keep) and the last successful full run")
        }
    }
}
