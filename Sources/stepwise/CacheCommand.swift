import ArgumentParser
import Foundation
import Runtime

/// `stepwise cache ls` and `stepwise cache gc`.
struct Cache: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or clean the cache of step results under Outputs/.cache.",
        subcommands: [List.self, Collect.self]
    )

    struct Location: ParsableArguments {
        @Option(name: .customLong("outputs"), help: "The outputs folder holding .cache and the workflows' runs.")
        var outputs: String = "Outputs"

        var url: URL { URL(fileURLWithPath: outputs, isDirectory: true) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List cache entries: key prefix, workflow, step, size, created, last used."
        )

        @OptionGroup var location: Location

        func run() throws {
            let entries = try CacheStore(outputs: location.url).entries()
            for line in CacheListing.lines(entries) { print(line) }
        }
    }

    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Delete cache entries that the latest run(s) of every workflow do not use; print what was freed."
        )

        @OptionGroup var location: Location

        @Option(help: "Keep the entries used by this many latest runs of each workflow (default: the N of its last `runs prune --keep N`, else 1).")
        var keepRuns: Int?

        func validate() throws {
            if let keepRuns, keepRuns < 1 { throw ValidationError("--keep-runs must be at least 1 (got \(keepRuns))") }
        }

        func run() throws {
            do {
                let report = try CacheCollector(outputs: location.url).collect(keepRuns: keepRuns)
                for line in report.lines { print(line) }
            } catch let error as LockError where error.code == .held {
                ExitStatusMapping.printLine("error: \(error.message); run cache gc when it has finished")
                throw ExitCode(3)
            }
        }
    }
}
