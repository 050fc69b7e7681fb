/// The type and allowed range of a step parameter.
public enum ParameterType: Sendable, Hashable {
    case int(min: Int, max: Int)
    /// A whole number, or the word `auto` (the runtime chooses, e.g. a seed derived from the run seed).
    case intOrAuto(min: Int, max: Int)
    case decimal(DecimalBounds)
    case bool
    /// One of a fixed set of words.
    case choice([String])
    /// Free text: a quoted string, or a single bare word such as a path.
    case string
    /// Dimensions like `1x28x28`; the count of dimensions must be within the range.
    case size(dimensions: ClosedRange<Int>)

    /// How the type reads in messages and in the reference: "an integer in 1...1000".
    public var phrase: String {
        switch self {
        case .int(let min, let max): "an integer in \(Self.bound(min))...\(Self.bound(max))"
        case .intOrAuto(let min, let max): "an integer in \(Self.bound(min))...\(Self.bound(max)) or 'auto'"
        case .decimal(let bounds): bounds.phrase
        case .bool: "a boolean (true/false, yes/no, on/off)"
        case .choice(let words): "one of " + words.map { "'\($0)'" }.joined(separator: ", ")
        case .string: "a text (quoted, or a single word such as a path)"
        case .size(let dimensions):
            dimensions.lowerBound == dimensions.upperBound
                ? "a size of \(dimensions.lowerBound) dimensions like \(Self.exampleSize(dimensions.lowerBound))"
                : "a size of \(dimensions.lowerBound) to \(dimensions.upperBound) dimensions like 1x28x28"
        }
    }

    /// A compact form for the reference table: "int 1...1000", "decimal > 0".
    public var shortName: String {
        switch self {
        case .int(let min, let max): "int \(Self.bound(min))...\(Self.bound(max))"
        case .intOrAuto(let min, let max): "int \(Self.bound(min))...\(Self.bound(max)) or auto"
        case .decimal(let bounds): "decimal" + (bounds.compact.isEmpty ? "" : " " + bounds.compact)
        case .bool: "bool"
        case .choice(let words): words.joined(separator: " \\| ")
        case .string: "text"
        case .size(let dimensions):
            dimensions.lowerBound == dimensions.upperBound ? "size (\(dimensions.lowerBound)-D)"
                : "size (\(dimensions.lowerBound)-D to \(dimensions.upperBound)-D)"
        }
    }

    private static func bound(_ value: Int) -> String {
        value == Int.max ? "2^63-1" : String(value)
    }

    private static func exampleSize(_ dimensions: Int) -> String {
        Array(repeating: "3", count: dimensions).joined(separator: "x")
    }
}
