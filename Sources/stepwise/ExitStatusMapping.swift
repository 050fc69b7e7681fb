import ArgumentParser
import Foundation
import Runtime
import StepDSL
import StepwiseErrors
import Synchronization

/// Maps errors to DESIGN.md's exit codes: each module's error types carry their own (`ExitCoded`, in
/// StepwiseErrors), so nothing here knows which module an error came from. The libraries never exit or print.
///
/// 0 success; 1 a step failed; 2 usage, step-file or validation error (nothing ran); 3 another run holds the
/// workflow's lock; 4 data missing or corrupt; 130 / 143 interrupted by SIGINT / SIGTERM.
///
/// When standard error is not a terminal (cron), every line printed here starts with a UTC timestamp, and a
/// command that asks for it (`run`) ends its output with `exit N: meaning`.
enum ExitStatusMapping {
    /// nil for an error no module declared a status for (the caller then decides).
    static func status(for error: any Error) -> Int32? {
        (error as? any ExitCoded)?.exitCode
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
