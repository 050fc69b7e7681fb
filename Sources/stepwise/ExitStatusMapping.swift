import Foundation
import Runtime

/// Maps the libraries' typed errors to DESIGN.md's exit codes; the libraries themselves never exit or print.
enum ExitStatusMapping {
    /// 0 success; 1 a step failed; 2 usage/DSL/validation; 3 lock held; 4 data missing or corrupt.
    static func status(for error: any Error) -> Int32? {
        switch error {
        default:
            return nil
        }
    }

    static func printError(_ error: any Error) {
        printLine("error: \(error)")
    }

    static func printLine(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
