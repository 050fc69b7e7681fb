import ArgumentParser
import Datasets
import Foundation
import Imaging
import NeuralNet
import Runtime
import StepDSL
import Synchronization
import Tensor

/// Maps the libraries' typed errors to DESIGN.md's exit codes; the libraries themselves never exit or print.
///
/// 0 success; 1 a step failed; 2 usage, step-file or validation error (nothing ran); 3 another run holds the
/// workflow's lock; 4 data missing or corrupt; 130 / 143 interrupted by SIGINT / SIGTERM.
///
/// When standard error is not a terminal (cron), every line printed here starts with a UTC timestamp, and a
/// command that asks for it (`run`) ends its output with `exit N: meaning`.
enum ExitStatusMapping {
    static func status(for error: any Error) -> Int32? {
        switch error {
        case let e as CLIError: e.status
        case let e as RunInterrupted: e.exitStatus
        case let e as SweepError: e.kind == .usage ? 2 : 1
        case is DiagnosticList, is Diagnostic, is WorkflowNotFound, is PlanError, is RunNotFound, is KernelPathError: 2
        case let e as LockError: e.code == .held ? 3 : 1
        case let e as DataError: e.kind == .invalidRequest ? 2 : 4
        case is ModelFileError, is IncompatibleModel: 4
        case is PNGError, is JPEGError, is ImageError, is NoInkFound: 2
        case let e as StepRunError:
            // Bad data found while a step ran is still bad data.
            (e.underlying is DataError) ? 4 : 1
        case is CacheError, is ReportError, is FileError, is ModelError, is TrainingError: 1
        default: nil
        }
    }

    static func printError(_ error: any Error) {
        switch error {
        case let interrupted as RunInterrupted:
            printLine(interrupted.description)
        case let list as DiagnosticList:
            printLine(list.rendered())
        case let d as Diagnostic:
            printLine(d.rendered())
        default:
            printLine("error: \(error)")
        }
    }

    /// Writes `text` (one or more lines) to standard error; each line timestamped unless it is a terminal.
    static func printLine(_ text: String) {
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let out = timestamped
            ? body.split(separator: "\n", omittingEmptySubsequences: false).map { "\(stamp()) \($0)" }.joined(separator: "\n")
            : body
        FileHandle.standardError.write(Data((out + "\n").utf8))
    }

    /// Standard error is a file or pipe (a cron log), not a terminal.
    static let timestamped = isatty(STDERR_FILENO) != 1

    static func stamp(_ date: Date = Date()) -> String { "[\(Timestamp.string(date))]" }

    /// Set by commands whose output ends with an exit line when it goes to a log (`run`): nil for none,
    /// false for errors only (--quiet), true for every exit.
    static let exitLine = Mutex<Bool?>(nil)

    /// The last line of a logged run: `[2026-11-30T02:30:05Z] exit 3: another run holds the lock`.
    static func printExitLine(_ status: Int32) {
        guard timestamped, let always = exitLine.withLock({ $0 }), always || status != 0 else { return }
        printLine("exit \(status): \(meaning(of: status))")
    }

    /// What an exit status means, as README.md lists them.
    static func meaning(of status: Int32) -> String {
        switch status {
        case 0: "success"
        case 1: "failed"
        case 2: "usage, step-file or validation error (nothing ran)"
        case 3: "another run holds the lock"
        case 4: "data missing or corrupt"
        case 128...: "interrupted by \(RunInterrupted.name(of: status - 128))"
        default: "failed"
        }
    }
}
