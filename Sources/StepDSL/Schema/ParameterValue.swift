/// A parameter's value after type checking. `description` is the canonical text (`12`, `0.001`, `true`,
/// `"Outputs/models/cnn.safetensors"`, `adam`, `1x28x28`), the same however the value was written, so it can go
/// into cache keys and reports.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case decimal(Double)
    case bool(Bool)
    case string(String)
    /// A word from a fixed set (an enum choice, or `auto`).
    case word(String)
    case size([Int])

    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .decimal(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .string(let value):
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .word(let value): value
        case .size(let dims): dims.map(String.init).joined(separator: "x")
        }
    }

    /// Checks a written value against a type. Returns nil when it does not fit (the caller words the error).
    /// `quoted` says the value was written in quotes: then only a text parameter accepts it.
    static func parse(_ text: String, quoted: Bool, as type: ParameterType) -> ParameterValue? {
        if quoted {
            if case .string = type { return .string(text) }
            return nil
        }
        switch type {
        case .int(let min, let max):
            guard let value = Literal.integer(text), value >= min, value <= max else { return nil }
            return .int(value)
        case .intOrAuto(let min, let max):
            if text == "auto" { return .word("auto") }
            guard let value = Literal.integer(text), value >= min, value <= max else { return nil }
            return .int(value)
        case .decimal(let bounds):
            guard let value = Literal.decimal(text), bounds.contains(value) else { return nil }
            return .decimal(value)
        case .bool:
            return Literal.boolean(text).map(ParameterValue.bool)
        case .choice(let words):
            return words.contains(text) ? .word(text) : nil
        case .string:
            return text.isEmpty ? nil : .string(text)
        case .size(let dimensions):
            guard let dims = Literal.size(text), dimensions.contains(dims.count) else { return nil }
            return .size(dims)
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
