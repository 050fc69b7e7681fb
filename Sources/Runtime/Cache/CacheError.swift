import StepwiseErrors

/// Errors from writing to or listing the cache, with the path involved and what to do.
public struct CacheError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension CacheError: ExitCoded {
    public var exitCode: Int32 { ExitCode.failure }
}
