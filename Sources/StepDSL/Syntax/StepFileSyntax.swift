/// A step file as written: the header's kind and artifact names, and the body lines, not yet checked
/// against the schema.
struct StepFileSyntax: Sendable {
    let kind: Token
    let inputs: [Token]
    let outputs: [Token]
    /// Whether the header has `->`.
    let hasArrow: Bool
    /// False when the artifact lists could not be read; the checker then skips this step's graph checks.
    let headerIsValid: Bool
    let header: SourceLine
    let body: [SourceLine]

    /// Comments and blank lines dropped, each line's tokens joined by single spaces (no space before a comma).
    var normalizedText: String {
        ([header] + body).map { line in
            var text = ""
            for token in line.tokens {
                if !text.isEmpty, token.kind != .comma { text += " " }
                text += token.text
            }
            return text
        }.joined(separator: "\n")
    }
}
