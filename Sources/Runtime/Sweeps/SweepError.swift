import StepwiseErrors

/// A sweep that could not be made, run or handed to a scheduler. The command line maps `kind` to an exit code:
/// `usage` 2 (nothing ran), `pointsFailed` 1 (the report lists them), `scheduler` 1 (sbatch refused or missing).
public struct SweepError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        case usage
        case pointsFailed
        case scheduler
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension SweepError: ExitCoded {
    public var exitCode: Int32 { kind == .usage ? ExitCode.usage : ExitCode.failure }
}
