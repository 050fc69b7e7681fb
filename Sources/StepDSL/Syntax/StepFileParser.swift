/// Parses the header of a step file and gathers its body lines.
struct StepFileParser {
    let source: SourceFile
    private(set) var diagnostics: [Diagnostic] = []

    init(source: SourceFile) {
        self.source = source
    }

    static let headerExample = "train model, train_data, val_data -> trained, history"

    mutating func parse() -> StepFileSyntax? {
        let lexed = Lexer(source: source).lines()
        diagnostics += lexed.diagnostics
        guard let header = lexed.lines.first else {
            diagnostics.append(Diagnostic(
                "step file has no header: its first line names the step kind and artifacts, e.g. "
                    + "'\(Self.headerExample)'", in: source, at: nil))
            return nil
        }
        if header.isIndented {
            diagnostics.append(Diagnostic(
                "the header line must not be indented; only body lines are", in: source, at: header.range))
        }
        let body = Array(lexed.lines.dropFirst())
        for line in body where !line.isIndented {
            diagnostics.append(Diagnostic(
                "body lines must be indented (a step file holds one step, and only its first line is the header)",
                in: source, at: line.range))
        }
        let tokens = header.tokens
        guard tokens[0].isWord else {
            diagnostics.append(Diagnostic(
                "expected a step kind at the start of the header, found '\(tokens[0].text)'",
                in: source, at: tokens[0].range, notes: [.note("a header reads like '\(Self.headerExample)'")]))
            return nil
        }
        var inputs: [Token] = []
        var outputs: [Token] = []
        var hasArrow = false
        var expectingName = false
        var previous = tokens[0]
        var index = 1
        var failed = false
        // After the first error the rest of the header is still read for its artifact names (so later steps
        // reading them are not reported too), but not reported on.
        func fail(_ message: String, _ token: Token, note: String? = nil) {
            guard !failed else { return }
            diagnostics.append(Diagnostic(message, in: source, at: token.range,
                                          notes: note.map { [.note($0)] } ?? []))
            failed = true
        }
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token.kind {
            case .comma:
                if expectingName || (hasArrow ? outputs.isEmpty : inputs.isEmpty) {
                    fail("expected an artifact name before ','", token)
                }
                expectingName = true
            case .arrow:
                if hasArrow { fail("'->' appears twice in the header", token) }
                if expectingName { fail("expected an artifact name after ',' and before '->'", previous) }
                hasArrow = true
                expectingName = false
            case .string:
                fail("artifact names are not quoted: write \(token.value ?? "") without quotes", token)
            case .word:
                let startsList = hasArrow ? outputs.isEmpty : inputs.isEmpty
                if !expectingName, !startsList {
                    fail("expected ',' or '->' before '\(token.text)'", token,
                         note: "a header reads like '\(Self.headerExample)'")
                }
                if !Self.isIdentifier(token.text) {
                    fail("'\(token.text)' is not a valid artifact name: use letters, digits and '_', "
                             + "starting with a letter", token)
                }
                if hasArrow { outputs.append(token) } else { inputs.append(token) }
                expectingName = false
            }
            previous = token
        }
        if !failed, expectingName {
            fail("expected an artifact name after ','", previous)
        }
        return StepFileSyntax(kind: tokens[0], inputs: inputs, outputs: outputs, hasArrow: hasArrow,
                              headerIsValid: !failed, header: header, body: body)
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCIILetter || $0 == "_" || ("0"..."9").contains($0) }
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
