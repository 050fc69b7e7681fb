import ArgumentParser
import Runtime
import Tensor

@main
struct Stepwise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stepwise",
        abstract: "Reproducible MNIST digit-classifier workflows: train, retrain from feedback, predict.",
        discussion: """
            Workflows are folders of step files (Workflows/train, Workflows/retrain). Every step's results are \
            cached, so unchanged steps are not run again.

            Exit codes: 0 success or nothing to do; 1 a step failed; 2 usage, step-file or validation error \
            (nothing ran); 3 another run holds the workflow's lock; 4 data missing or corrupt; 130 or 143 \
            interrupted by SIGINT (Ctrl-C) or SIGTERM (the run is recorded as interrupted, its finished steps stay \
            cached).
            """,
        version: StepwiseVersion.current,
        subcommands: [RunCommand.self, PlanCommand.self, PredictCommand.self, FeedbackCommand.self,
                      DataCommand.self, Cache.self, Bench.self, RunsCommand.self, DiffCommand.self,
                      ServeCommand.self, SweepCommand.self]
    )

    /// Parses, runs, and maps every error to the documented exit codes.
    static func main() async {
        do {
            var command = try parseAsRoot()
            // STEPWISE_KERNELS naming a path this CPU cannot run (or none at all) stops every command here.
            _ = try KernelPath.fromEnvironment(ProcessInfo.processInfo.environment)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let status = ExitStatusMapping.status(for: error)
            if let status {
                ExitStatusMapping.printError(error)
                ExitStatusMapping.printExitLine(status)
                Foundation.exit(status)
            }
            // Help, --version and ArgumentParser's own errors; usage errors become exit code 2.
            let code = exitCode(for: error)
            if code == .validationFailure {
                ExitStatusMapping.printLine(fullMessage(for: error))
                ExitStatusMapping.printExitLine(2)
                Foundation.exit(2)
            }
            if code != .success, ExitStatusMapping.exitLine.withLock({ $0 }) != nil {
                // An unmapped error of a command that logs its exit: the message first, the exit line last.
                ExitStatusMapping.printLine(fullMessage(for: error))
                ExitStatusMapping.printExitLine(code.rawValue)
                Foundation.exit(code.rawValue)
            }
            exit(withError: error)
        }
    }
}

import Foundation
