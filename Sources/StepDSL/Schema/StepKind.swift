/// The name of a step kind, as written at the start of a step file's header (`train`, `augment-with-feedback`).
/// The language does not fix the set of kinds: the checker reads them from the `StepSchema` it is given.
public struct StepKind: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }
}
