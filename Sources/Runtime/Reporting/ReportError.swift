import StepwiseErrors

/// Why a report or chart could not be produced. Messages name the chart or file and say what to do.
public struct ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The input values contradict each other (counts differ, a label is out of range…).
        case invalidInput
        /// gnuplot is not installed or not on PATH.
        case gnuplotMissing
        /// gnuplot ran but failed or produced no image.
        case gnuplotFailed
        /// A file could not be written.
        case writeFailed
    }

    public let kind: Kind
    /// The chart, file or input field concerned.
    public let subject: String
    public let detail: String

    public init(kind: Kind, subject: String, detail: String) {
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }

    public var description: String {
        switch kind {
        case .invalidInput:
            "report input \(subject): \(detail)"
        case .gnuplotMissing:
            "chart \(subject): gnuplot not found (\(detail)); install it (Debian/Ubuntu: apt-get install gnuplot-nox)"
                + " or put it on PATH"
        case .gnuplotFailed:
            "chart \(subject): gnuplot failed: \(detail)"
                + "; check that gnuplot-nox (with the pngcairo terminal) is installed"
        case .writeFailed:
            "cannot write \(subject): \(detail)"
        }
    }
}

extension ReportError: ExitCoded {
    public var exitCode: Int32 { ExitCode.failure }
}
