import StepwiseErrors

/// A model that cannot be built or used as asked: the message names the layer and the sizes involved.
public struct ModelError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A model file that cannot be loaded: the message names the file and what in it is wrong.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension ModelFileError: ExitCoded {
    public var exitCode: Int32 { ExitCode.badData }
}

extension ModelError: ExitCoded {
    public var exitCode: Int32 { ExitCode.failure }
}
