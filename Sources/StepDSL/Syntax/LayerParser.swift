/// Parses the layer lines of a build step.
struct LayerParser {
    let source: SourceFile
    var diagnostics: [Diagnostic] = []

    init(source: SourceFile) {
        self.source = source
    }

    /// The layer a line declares, or nil after recording why it is not one.
    mutating func parse(_ line: SourceLine) -> LayerDecl? {
        let tokens = line.tokens
        let head = tokens[0]
        let range = line.range
        guard head.isWord else {
            return fail("expected a layer name (\(Self.layerList)), found '\(head.text)'", head)
        }
        var cursor = 1
        switch head.text {
        case "conv":
            guard let out = positiveInt(tokens, &cursor, what: "the output channel count of a conv layer",
                                        example: "conv 32 3x3") else { return nil }
            guard let kernel = kernelSize(tokens, &cursor) else { return nil }
            var stride = 1
            var padding = 0
            var activation: LayerDecl.Activation?
            var seen: Set<String> = []
            while cursor < tokens.count {
                let option = tokens[cursor]
                guard option.isWord, !seen.contains(option.text) else {
                    return fail(seen.contains(option.text) ? "'\(option.text)' is given twice in this conv layer"
                                    : "unexpected '\(option.text)' in a conv layer", option)
                }
                seen.insert(option.text)
                cursor += 1
                switch option.text {
                case "stride":
                    guard let value = positiveInt(tokens, &cursor, what: "the stride", example: "stride 2") else {
                        return nil
                    }
                    stride = value
                case "padding":
                    guard cursor < tokens.count else {
                        return fail("missing value after 'padding': write a pixel count or 'same'", option)
                    }
                    let value = tokens[cursor]
                    if value.isWord, value.text == "same" {
                        guard kernel % 2 == 1 else {
                            return fail("padding 'same' needs an odd kernel size, not \(kernel); "
                                            + "write the padding as a number", value)
                        }
                        padding = (kernel - 1) / 2
                    } else if value.isWord, let number = Literal.integer(value.text), number >= 0, number < 1000 {
                        padding = number
                    } else {
                        return fail("padding must be a whole number of pixels (0 or more) or 'same', "
                                        + "not '\(value.text)'", value)
                    }
                    cursor += 1
                case "relu", "gelu":
                    guard activation == nil else {
                        return fail("a conv layer takes one activation", option)
                    }
                    activation = LayerDecl.Activation(rawValue: option.text)
                default:
                    let suggestion = Suggestion.phrase(for: option.text, in: ["stride", "padding", "relu", "gelu"])
                    return fail("unknown conv option '\(option.text)'\(suggestion)", option,
                                note: "usage: conv OUT KxK [stride S] [padding P|same] [relu|gelu]")
                }
            }
            return .conv(outChannels: out, kernelSize: kernel, stride: stride, padding: padding,
                         activation: activation, range: range)
        case "maxpool":
            guard let kernel = kernelSize(tokens, &cursor) else { return nil }
            var stride = kernel
            if cursor < tokens.count, tokens[cursor].isWord, tokens[cursor].text == "stride" {
                cursor += 1
                guard let value = positiveInt(tokens, &cursor, what: "the stride", example: "stride 2") else {
                    return nil
                }
                stride = value
            }
            guard end(tokens, cursor, usage: "maxpool K [stride S]") else { return nil }
            return .maxpool(kernelSize: kernel, stride: stride, range: range)
        case "dropout":
            guard cursor < tokens.count else {
                return fail("missing dropout probability: write e.g. 'dropout 0.25'", head)
            }
            let token = tokens[cursor]
            guard token.isWord, let p = Literal.decimal(token.text), DecimalBounds.unitOpen.contains(p) else {
                return fail("dropout probability must be a decimal number 0..<1, not '\(token.text)'", token)
            }
            cursor += 1
            guard end(tokens, cursor, usage: "dropout P") else { return nil }
            return .dropout(p: p, range: range)
        case "dense":
            guard let units = positiveInt(tokens, &cursor, what: "the unit count of a dense layer",
                                          example: "dense 128") else { return nil }
            var activation: LayerDecl.Activation?
            if cursor < tokens.count, tokens[cursor].isWord,
               let value = LayerDecl.Activation(rawValue: tokens[cursor].text) {
                activation = value
                cursor += 1
            }
            guard end(tokens, cursor, usage: "dense UNITS [relu|gelu]") else { return nil }
            return .dense(units: units, activation: activation, range: range)
        case "flatten":
            guard end(tokens, cursor, usage: "flatten") else { return nil }
            return .flatten(range: range)
        case "batchnorm":
            guard end(tokens, cursor, usage: "batchnorm") else { return nil }
            return .batchnorm(range: range)
        case "relu", "gelu":
            guard end(tokens, cursor, usage: head.text) else { return nil }
            return .activation(LayerDecl.Activation(rawValue: head.text)!, range: range)
        default:
            let suggestion = Suggestion.phrase(for: head.text, in: LayerDecl.keywords)
            return fail("unknown layer '\(head.text)'\(suggestion)", head,
                        note: "layers: \(Self.layerList)")
        }
    }

    private static let layerList = LayerDecl.keywords.joined(separator: ", ")

    private mutating func fail(_ message: String, _ token: Token, note: String? = nil) -> LayerDecl? {
        diagnostics.append(Diagnostic(message, in: source, at: token.range, notes: note.map { [.note($0)] } ?? []))
        return nil
    }

    private mutating func positiveInt(_ tokens: [Token], _ cursor: inout Int, what: String, example: String)
        -> Int? {
        guard cursor < tokens.count else {
            _ = fail("missing \(what): write e.g. '\(example)'", tokens[cursor - 1])
            return nil
        }
        let token = tokens[cursor]
        guard token.isWord, let value = Literal.integer(token.text), value >= 1, value <= 100_000 else {
            _ = fail("\(what) must be a whole number in 1...100000, not '\(token.text)'", token)
            return nil
        }
        cursor += 1
        return value
    }

    /// `3x3` or `3`; kernels are square.
    private mutating func kernelSize(_ tokens: [Token], _ cursor: inout Int) -> Int? {
        guard cursor < tokens.count else {
            _ = fail("missing kernel size: write e.g. '3x3' or '3'", tokens[cursor - 1])
            return nil
        }
        let token = tokens[cursor]
        guard token.isWord, let dims = Literal.size(token.text), (1...2).contains(dims.count),
              dims.allSatisfy({ $0 <= 1000 }) else {
            _ = fail("kernel size must be like '3x3' or '3', not '\(token.text)'", token)
            return nil
        }
        guard dims.count == 1 || dims[0] == dims[1] else {
            _ = fail("kernels must be square: write '\(dims[0])x\(dims[0])', not '\(token.text)'", token)
            return nil
        }
        cursor += 1
        return dims[0]
    }

    private mutating func end(_ tokens: [Token], _ cursor: Int, usage: String) -> Bool {
        guard cursor < tokens.count else { return true }
        _ = fail("unexpected '\(tokens[cursor].text)' after the layer", tokens[cursor], note: "usage: \(usage)")
        return false
    }
}
