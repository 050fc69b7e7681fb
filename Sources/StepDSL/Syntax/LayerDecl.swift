/// One layer line of a build step, checked against its form: the keyword, every argument by name (options left
/// out hold their defaults; a flag left out is absent), and where the line was written. The runtime turns it into
/// layers (channel and feature counts come from the input shape) and reports shape errors at `range` through
/// `Step.diagnostic(_:at:)`.
public struct LayerDecl: Sendable, Hashable {
    public let keyword: String
    public let arguments: [String: LayerArgument]
    /// Where the line was written in the step file.
    public let range: SourceRange
    /// The line in one canonical spelling, the same however it was written: `conv 32 3x3 relu` for
    /// `conv 32 3 padding 0 relu`, `conv 32 3x3 padding 1` for `conv 32 3x3 padding same`, `maxpool 2` for
    /// `maxpool 2 stride 2`, `dropout 0.25` for `dropout 0.250`. Options at their defaults are left out; the others
    /// come in the form's order, then the flag. Cache keys and plan reasons use it.
    public let canonical: String

    public init(keyword: String, arguments: [String: LayerArgument], range: SourceRange, canonical: String) {
        (self.keyword, self.arguments, self.range, self.canonical) = (keyword, arguments, range, canonical)
    }

    public func int(_ name: String) -> Int? {
        if case let .int(n) = arguments[name] { n } else { nil }
    }

    public func decimal(_ name: String) -> Double? {
        if case let .decimal(x) = arguments[name] { x } else { nil }
    }

    public func word(_ name: String) -> String? {
        if case let .word(w) = arguments[name] { w } else { nil }
    }
}
