import StepwiseErrors

/// Why a workflow's lock could not be taken. The CLI exits with code 3 for `.held`.
public struct LockError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// Another process holds the lock.
        case held
        /// The lock file could not be opened or locked.
        case io
        /// SIGINT or SIGTERM arrived while waiting for the lock (`--wait`).
        case interrupted
    }

    public let code: Code
    public let message: String
    /// The holder's pid and start time, as it wrote them into the lock file (nil if not yet written).
    public let holderPID: Int32?
    public let holderStarted: String?

    public init(_ code: Code, _ message: String, holderPID: Int32? = nil, holderStarted: String? = nil) {
        self.code = code
        self.message = message
        self.holderPID = holderPID
        self.holderStarted = holderStarted
    }

    public var description: String { message }
}

extension LockError: ExitCoded {
    public var exitCode: Int32 { code == .held ? ExitCode.locked : ExitCode.failure }
}
