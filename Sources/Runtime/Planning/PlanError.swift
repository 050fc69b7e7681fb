import StepwiseErrors

/// Why a workflow cannot be planned. Messages name the step and what to type instead.
public struct PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case unknownStep
        case duplicateStep
        case unknownProducer
        case producerAfterConsumer
        case missingInput
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension PlanError: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}
