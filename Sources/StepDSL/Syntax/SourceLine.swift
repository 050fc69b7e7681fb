/// A non-blank line of a step file with its comment removed.
struct SourceLine: Sendable {
    /// Whether the line starts with a space or tab: body lines are indented, the header is not.
    let isIndented: Bool
    let tokens: [Token]

    var range: SourceRange { tokens.first!.range.union(tokens.last!.range) }
}
