/// One token of a step file line.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A bare word: names, numbers, sizes, fractions, paths (anything up to a space, comma, quote or `#`).
        case word
        /// A quoted string; the payload is its value with escapes resolved.
        case string(String)
        case comma
        case arrow
    }

    let kind: Kind
    /// The token as written (a string keeps its quotes).
    let text: String
    let range: SourceRange

    var isWord: Bool { kind == .word }

    /// The value of a word or a string, nil for punctuation.
    var value: String? {
        switch kind {
        case .word: text
        case .string(let value): value
        case .comma, .arrow: nil
        }
    }
}
