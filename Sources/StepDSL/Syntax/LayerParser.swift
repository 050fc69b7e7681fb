/// Parses the layer lines of a build step, each through the form its keyword names in `language`.
struct LayerParser {
    let source: SourceFile
    let language: LayerLanguage
    var diagnostics: [Diagnostic] = []

    init(source: SourceFile, language: LayerLanguage) {
        self.source = source
        self.language = language
    }

    /// The layer a line declares, or nil after recording why it is not one.
    mutating func parse(_ line: SourceLine) -> LayerDecl? {
        let tokens = line.tokens
        let head = tokens[0]
        let list = language.keywords.joined(separator: ", ")
        guard head.isWord else {
            return fail("expected a layer name (\(list)), found '\(head.text)'", head)
        }
        guard let form = language.form(head.text) else {
            let suggestion = Suggestion.phrase(for: head.text, in: language.keywords)
            return fail("unknown layer '\(head.text)'\(suggestion)", head, note: "layers: \(list)")
        }
        var values: [String: LayerArgument] = [:]
        var cursor = 1
        for argument in form.positional {
            guard let value = value(of: argument, form: form, tokens, &cursor, values: values) else { return nil }
            values[argument.name] = value
        }
        var seen: Set<String> = []
        while cursor < tokens.count {
            let word = tokens[cursor]
            if word.isWord, form.flags.contains(word.text) {
                guard values[form.flagName] == nil else {
                    return fail("a \(form.keyword) layer takes one \(form.flagName)", word)
                }
                values[form.flagName] = .word(word.text)
                cursor += 1
                continue
            }
            guard !form.options.isEmpty else {
                return fail("unexpected '\(word.text)' after the layer", word, note: "usage: \(form.usage)")
            }
            guard word.isWord, !seen.contains(word.text) else {
                return fail(seen.contains(word.text) ? "'\(word.text)' is given twice in this \(form.keyword) layer"
                                : "unexpected '\(word.text)' in a \(form.keyword) layer", word)
            }
            guard let option = form.options.first(where: { $0.name == word.text }) else {
                let suggestion = Suggestion.phrase(for: word.text, in: form.options.map(\.name) + form.flags)
                return fail("unknown \(form.keyword) option '\(word.text)'\(suggestion)", word,
                            note: "usage: \(form.usage)")
            }
            seen.insert(word.text)
            cursor += 1
            guard let value = value(of: option, form: form, tokens, &cursor, values: values) else { return nil }
            values[option.name] = value
        }
        var words = [form.keyword] + form.positional.map { argument in
            argument.kind == .kernel ? "\(values[argument.name]!.canonical)x\(values[argument.name]!.canonical)"
                : values[argument.name]!.canonical
        }
        for option in form.options {
            let fallback: LayerArgument? = option.defaultFrom.flatMap { values[$0] } ?? option.defaultValue.map { .int($0) }
            if let value = values[option.name], value != fallback {
                words += [option.name, value.canonical]
            } else {
                values[option.name] = fallback
            }
        }
        if let flag = values[form.flagName] { words.append(flag.canonical) }
        return LayerDecl(keyword: form.keyword, arguments: values, range: line.range,
                         canonical: words.joined(separator: " "))
    }

    /// The value at `cursor` for `argument`, advancing past it, or nil after recording why it is not one.
    private mutating func value(of argument: LayerForm.Argument, form: LayerForm, _ tokens: [Token],
                                _ cursor: inout Int, values: [String: LayerArgument]) -> LayerArgument? {
        guard cursor < tokens.count else {
            switch argument.kind {
            case .kernel, .window: _ = invalid("missing kernel size: write e.g. '3x3' or '3'", tokens[cursor - 1])
            case .padding: _ = invalid("missing value after '\(argument.name)': write a pixel count or 'same'",
                                    tokens[cursor - 1])
            case .count, .probability:
                _ = invalid("missing \(argument.what): write e.g. '\(argument.example)'", tokens[cursor - 1])
            }
            return nil
        }
        let token = tokens[cursor]
        cursor += 1
        switch argument.kind {
        case .count:
            guard token.isWord, let value = Literal.integer(token.text), value >= 1, value <= 100_000 else {
                return invalid("\(argument.what) must be a whole number in 1...100000, not '\(token.text)'", token)
            }
            return .int(value)
        case .kernel, .window:
            guard token.isWord, let dims = Literal.size(token.text), (1...2).contains(dims.count),
                  dims.allSatisfy({ $0 <= 1000 }) else {
                return invalid("kernel size must be like '3x3' or '3', not '\(token.text)'", token)
            }
            guard dims.count == 1 || dims[0] == dims[1] else {
                return invalid("kernels must be square: write '\(dims[0])x\(dims[0])', not '\(token.text)'", token)
            }
            return .int(dims[0])
        case .probability:
            guard token.isWord, let p = Literal.decimal(token.text), DecimalBounds.unitOpen.contains(p) else {
                return invalid("\(argument.what) must be a decimal number 0..<1, not '\(token.text)'", token)
            }
            return .decimal(p)
        case .padding:
            if token.isWord, token.text == "same" {
                let kernel = values["kernel_size"].flatMap { if case let .int(k) = $0 { k } else { nil } } ?? 0
                guard kernel % 2 == 1 else {
                    return invalid("padding 'same' needs an odd kernel size, not \(kernel); write the padding as a number",
                                token)
                }
                return .int((kernel - 1) / 2)
            }
            guard token.isWord, let number = Literal.integer(token.text), number >= 0, number < 1000 else {
                return invalid("padding must be a whole number of pixels (0 or more) or 'same', not '\(token.text)'", token)
            }
            return .int(number)
        }
    }

    private mutating func fail(_ message: String, _ token: Token, note: String? = nil) -> LayerDecl? {
        diagnostics.append(Diagnostic(message, in: source, at: token.range, notes: note.map { [.note($0)] } ?? []))
        return nil
    }

    private mutating func invalid(_ message: String, _ token: Token) -> LayerArgument? {
        diagnostics.append(Diagnostic(message, in: source, at: token.range))
        return nil
    }
}
