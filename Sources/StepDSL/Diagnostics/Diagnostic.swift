import StepwiseErrors

/// One problem found in a workflow, rendered like a compiler's message:
///
///     error: unknown parameter 'epoch' for a train step; did you mean 'epochs'?
///      --> Workflows/train/04-train.step:2:5
///       |
///     2 |     epoch 12
///       |     ^^^^^
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error, warning, note

        private var rank: Int {
            switch self {
            case .error: 0
            case .warning: 1
            case .note: 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public let severity: Severity
    public let message: String
    public let location: SourceLocation?
    /// Further messages attached to this one (where an artifact was first made, what was expected).
    public let notes: [Diagnostic]

    public init(_ message: String, severity: Severity = .error, at location: SourceLocation? = nil,
                notes: [Diagnostic] = []) {
        self.severity = severity
        self.message = message
        self.location = location
        self.notes = notes
    }

    /// An error (or warning) in a source text at a range.
    public init(_ message: String, severity: Severity = .error, in source: SourceFile, at range: SourceRange?,
                notes: [Diagnostic] = []) {
        self.init(message, severity: severity, at: SourceLocation(source: source, range: range), notes: notes)
    }

    /// A note with an optional location, to attach to another diagnostic.
    public static func note(_ message: String, in source: SourceFile? = nil, at range: SourceRange? = nil)
        -> Diagnostic {
        Diagnostic(message, severity: .note, at: source.map { SourceLocation(source: $0, range: range) })
    }

    public var isError: Bool { severity == .error }

    public var description: String { rendered() }

    /// The widest source line shown under a diagnostic; a longer line is cut to this many characters around
    /// the caret, the cuts marked with "…".
    static let maxShownColumns = 120
    /// Quoted text in a message ('…') longer than this is shortened, so a 5 MB token is not printed whole.
    static let maxQuotedCharacters = 80

    /// The message with its location, the source line and a caret under the range, then its notes.
    public func rendered() -> String {
        var out = "\(severity.rawValue): \(Self.shorteningLongQuotes(message))"
        if let location {
            out += "\n" + Self.renderLocation(location)
        }
        for note in notes {
            out += "\n" + note.rendered()
        }
        return out
    }

    private static func renderLocation(_ location: SourceLocation) -> String {
        let source = location.source
        guard let range = location.range else { return " --> \(source.path)" }
        switch source.origin {
        case .commandLine:
            // The argument itself is the source line: put the caret under it.
            let (_, column, lineText) = source.lineAndColumn(ofOffset: range.start)
            let width = caretWidth(lineText: lineText, column: column, range: range, source: source)
            let pad = String(repeating: " ", count: 5 + column - 1)
            return " --> \(source.text)\n\(pad)\(String(repeating: "^", count: width))"
        case .file:
            let (line, column, lineText) = source.lineAndColumn(ofOffset: range.start)
            let gutter = String(repeating: " ", count: String(line).count)
            // A long line is shown as a window that starts a little before the caret.
            var visible = lineText
            var before = column - 1
            var (lead, trail) = ("", "")
            let characters = lineText.count
            if characters > maxShownColumns {
                let start = max(0, min(before - 20, characters - maxShownColumns))
                let from = lineText.index(lineText.startIndex, offsetBy: start)
                let to = lineText.index(from, offsetBy: maxShownColumns)
                visible = lineText[from..<to]
                before -= start
                lead = start > 0 ? "…" : ""
                trail = to < lineText.endIndex ? "…" : ""
            }
            let shown = lead + expandTabs(visible) + trail
            let caretColumn = lead.count + expandTabs(visible.prefix(before)).count
            let width = min(caretWidth(lineText: lineText, column: column, range: range, source: source),
                            max(1, expandTabs(visible.dropFirst(before)).count))
            var out = "\(gutter)--> \(source.path):\(line):\(column)\n"
            out += "\(gutter) |\n"
            out += "\(line) | \(shown)\n"
            out += "\(gutter) | \(String(repeating: " ", count: caretColumn))\(String(repeating: "^", count: width))"
            return out
        }
    }

    /// The caret covers the range's characters on its first line, at least one.
    private static func caretWidth(lineText: Substring, column: Int, range: SourceRange, source: SourceFile) -> Int {
        let rest = lineText.dropFirst(column - 1)
        var bytes = 0
        var characters = 0
        for character in rest {
            if bytes >= range.end - range.start { break }
            bytes += character.utf8.count
            characters += character == "\t" ? 4 : 1
        }
        return max(1, characters)
    }

    /// The message with every quoted span ('…') longer than `maxQuotedCharacters` cut to its start, an
    /// ellipsis and its length.
    static func shorteningLongQuotes(_ message: String) -> String {
        guard message.count > maxQuotedCharacters else { return message }
        var out = ""
        var rest = message[...]
        while let open = rest.firstIndex(of: "'") {
            out += rest[...open]
            let inside = rest[rest.index(after: open)...]
            guard let close = inside.firstIndex(of: "'") else {
                rest = inside
                break
            }
            let quoted = inside[..<close]
            let count = quoted.count
            out += count > maxQuotedCharacters ? "\(quoted.prefix(maxQuotedCharacters - 20))… (\(count) characters)" : String(quoted)
            out += "'"
            rest = inside[inside.index(after: close)...]
        }
        return out + rest
    }

    private static func expandTabs(_ text: Substring) -> String {
        text.replacingOccurrences(of: "\t", with: "    ")
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}

extension Diagnostic: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}
