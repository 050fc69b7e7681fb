import ArgumentParser
import Datasets
import Foundation
import Imaging
import NeuralNet
import Runtime
import StepDSL
import Tensor

/// Maps the libraries' typed errors to DESIGN.md's exit codes; the libraries themselves never exit or print.
///
/// 0 success; 1 a step failed; 2 usage, step-file or validation error (nothing ran); 3 another run holds the
/// workflow's lock; 4 data missing or corrupt.
enum ExitStatusMapping {
    static func status(for error: any Error) -> Int32? {
        switch error {
        case let e as CLIError: e.status
        case is DiagnosticList, is Diagnostic, is WorkflowNotFound, is PlanError: 2
        case let e as LockError: e.code == .held ? 3 : 1
        case let e as DataError: e.kind == .invalidRequest ? 2 : 4
        case is ModelFileError, is IncompatibleModel: 4
        case is PNGError, is NoInkFound: 2
        case let e as StepRunError:
            // Bad data found while a step ran is still bad data.
            (e.underlying is DataError) ? 4 : 1
        case is CacheError, is ReportError, is FileError, is ModelError, is TrainingError: 1
        default: nil
        }
    }

    static func printError(_ error: any Error) {
        switch error {
        case let list as DiagnosticList:
            printLine(list.rendered())
        case let d as Diagnostic:
            printLine(d.rendered())
        default:
            printLine("error: \(error)")
        }
    }

    static func printLine(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
