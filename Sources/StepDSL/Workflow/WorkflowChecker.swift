import Foundation

/// Checks a whole workflow before anything runs: file names, syntax, step kinds, parameters (names, types,
/// ranges), layer lines, the artifact graph (read before made, made twice, wrong type) and `--set` overrides.
/// It collects every problem rather than stopping at the first.
struct WorkflowChecker {
    /// The step kinds a header may name.
    let kinds: StepSchema
    private(set) var diagnostics: [Diagnostic] = []
    /// The layers build steps may use.
    let layerLanguage: LayerLanguage

    init(kinds: StepSchema, layers: LayerLanguage) {
        self.kinds = kinds
        layerLanguage = layers
    }

    /// What one file contributes, gathered in the first pass.
    private struct ParsedStep {
        let fileName: StepFileName
        let sourceFile: StepSource
        let source: SourceFile
        let syntax: StepFileSyntax
        /// Nil when the header names no known kind.
        let schema: KindSchema?
        /// Values set in the file (or by `--set`), where they were written.
        var explicit: [String: (value: ParameterValue, range: SourceRange)]
        let layers: [LayerDecl]

        /// The slot of the output at a position, nil if the kind is unknown or has fewer outputs.
        func slot(output position: Int) -> Slot? {
            guard let outputs = schema?.outputs, position < outputs.count else { return nil }
            return outputs[position]
        }
    }

    /// Where each artifact is made.
    private struct Made {
        let step: Int
        let token: Token
        /// Nil when the maker's kind or header is broken (already reported): anything goes.
        let slot: Slot?
    }

    mutating func check(name: String, directory: URL, directoryDisplayPath: String, sources: [StepSource],
                        overrides: [String]) -> Workflow? {
        let named = checkFileNames(sources, directoryDisplayPath: directoryDisplayPath)
        var parsed: [ParsedStep] = []
        for (fileName, source) in named {
            if let step = parseStep(fileName: fileName, sourceFile: source) { parsed.append(step) }
        }
        let (inputs, outputs) = checkArtifacts(parsed)
        applyOverrides(overrides, to: &parsed, workflow: name)
        guard !diagnostics.contains(where: \.isError) else { return nil }

        var steps: [Step] = []
        for (index, step) in parsed.enumerated() {
            guard let schema = step.schema else { continue }
            var parameters: [String: ParameterValue] = [:]
            for spec in schema.parameters {
                parameters[spec.name] = step.explicit[spec.name]?.value ?? spec.defaultValue
            }
            steps.append(Step(name: step.fileName.name, number: step.fileName.number, file: step.sourceFile.url,
                              source: step.source, schema: schema, inputs: inputs[index], outputs: outputs[index],
                              parameters: parameters, explicitParameters: Set(step.explicit.keys),
                              layers: step.layers, normalizedText: step.syntax.normalizedText))
        }
        return Workflow(name: name, directory: directory, steps: steps,
                        warnings: DiagnosticList.sorted(diagnostics.filter { $0.severity == .warning }))
    }

    // MARK: File names

    private mutating func checkFileNames(_ sources: [StepSource], directoryDisplayPath: String)
        -> [(StepFileName, StepSource)] {
        guard !sources.isEmpty else {
            diagnostics.append(Diagnostic(
                "no step files in workflow folder '\(directoryDisplayPath)': a workflow is a folder of files "
                    + "named like '01-load.step', run in number order", at: SourceLocation(path: directoryDisplayPath)))
            return []
        }
        var named: [(StepFileName, StepSource)] = []
        for source in sources {
            switch StepFileName.parse(source.fileName) {
            case .success(let fileName): named.append((fileName, source))
            case .failure(let problem):
                diagnostics.append(Diagnostic(problem.reason, at: SourceLocation(path: source.displayPath)))
            }
        }
        named.sort { ($0.0.number, $0.1.fileName) < ($1.0.number, $1.1.fileName) }
        var byNumber: [Int: String] = [:]
        var byName: [String: String] = [:]
        for (fileName, source) in named {
            if let other = byNumber[fileName.number] {
                diagnostics.append(Diagnostic(
                    "step files '\(other)' and '\(source.fileName)' have the same number \(fileName.number): "
                        + "steps run in number order, so give each its own number",
                    at: SourceLocation(path: source.displayPath)))
            } else {
                byNumber[fileName.number] = source.fileName
            }
            if let other = byName[fileName.name] {
                diagnostics.append(Diagnostic(
                    "step files '\(other)' and '\(source.fileName)' both name a step '\(fileName.name)': "
                        + "--only, --from and --set need each name once, so rename one",
                    at: SourceLocation(path: source.displayPath)))
            } else {
                byName[fileName.name] = source.fileName
            }
        }
        return named
    }

    // MARK: One step file

    private mutating func parseStep(fileName: StepFileName, sourceFile: StepSource) -> ParsedStep? {
        let source = SourceFile(path: sourceFile.displayPath, text: sourceFile.text)
        var parser = StepFileParser(source: source)
        let syntax = parser.parse()
        diagnostics += parser.diagnostics
        guard let syntax else { return nil }
        let kindText = syntax.kind.text
        guard let schema = kinds.schema(for: StepKind(rawValue: kindText)) else {
            let suggestion = Suggestion.phrase(for: kindText, in: kinds.kindNames)
            diagnostics.append(Diagnostic(
                "unknown step kind '\(kindText)'\(suggestion)", in: source, at: syntax.kind.range,
                notes: [.note("step kinds: " + kinds.kindNames.joined(separator: ", "))]))
            return ParsedStep(fileName: fileName, sourceFile: sourceFile, source: source, syntax: syntax, schema: nil,
                              explicit: [:], layers: [])
        }
        var explicit: [String: (value: ParameterValue, range: SourceRange)] = [:]
        var keyRanges: [String: SourceRange] = [:]
        var layers: [LayerDecl] = []
        var layerParser = LayerParser(source: source, language: layerLanguage)
        for line in syntax.body {
            let head = line.tokens[0]
            if schema.body == .layers, !(head.isWord && schema.parameter(named: head.text) != nil) {
                let isLayerWord = layerLanguage.keywords.contains(head.text)
                if !isLayerWord, head.isWord,
                   let near = Suggestion.closest(to: head.text, in: schema.parameters.map(\.name)) {
                    diagnostics.append(unknownParameter(head, schema: schema, suggestion: near, source: source))
                    continue
                }
                if let layer = layerParser.parse(line) { layers.append(layer) }
                continue
            }
            parseParameters(line.tokens, schema: schema, source: source, into: &explicit, keyRanges: &keyRanges)
        }
        diagnostics += layerParser.diagnostics
        if schema.body == .layers, layers.isEmpty, !layerParser.diagnostics.contains(where: \.isError) {
            diagnostics.append(Diagnostic(
                "a build step needs at least one layer line, e.g. 'dense 10'", in: source, at: syntax.kind.range))
        }
        return ParsedStep(fileName: fileName, sourceFile: sourceFile, source: source, syntax: syntax, schema: schema,
                          explicit: explicit, layers: layers)
    }

    /// `key value [key value …]` on one line.
    private mutating func parseParameters(_ tokens: [Token], schema: KindSchema, source: SourceFile,
                                          into explicit: inout [String: (value: ParameterValue, range: SourceRange)],
                                          keyRanges: inout [String: SourceRange]) {
        var index = 0
        while index < tokens.count {
            let key = tokens[index]
            guard key.isWord, StepFileParser.isIdentifier(key.text) else {
                let message = index == 0
                    ? "expected a parameter name at the start of the line, found '\(key.text)'"
                    : "unexpected '\(key.text)': each parameter takes one value; write 'key value' pairs"
                diagnostics.append(Diagnostic(message, in: source, at: key.range))
                return
            }
            guard let spec = schema.parameter(named: key.text) else {
                diagnostics.append(unknownParameter(key, schema: schema,
                                                    suggestion: Suggestion.closest(
                                                        to: key.text, in: schema.parameters.map(\.name)),
                                                    source: source))
                index += 2
                continue
            }
            guard index + 1 < tokens.count else {
                diagnostics.append(Diagnostic(
                    "missing value for parameter '\(spec.name)': write e.g. '\(spec.name) \(spec.defaultValue)'",
                    in: source, at: key.range))
                return
            }
            let valueToken = tokens[index + 1]
            index += 2
            let value: ParameterValue?
            switch valueToken.kind {
            case .word: value = ParameterValue.parse(valueToken.text, quoted: false, as: spec.type)
            case .string(let text): value = ParameterValue.parse(text, quoted: true, as: spec.type)
            case .comma, .arrow: value = nil
            }
            guard let value else {
                diagnostics.append(invalidValue(valueToken.text, unquoted: valueToken.value, spec: spec,
                                                kind: schema.kind, source: source, range: valueToken.range))
                continue
            }
            if let first = keyRanges[spec.name] {
                diagnostics.append(Diagnostic(
                    "parameter '\(spec.name)' is set twice in this step", in: source, at: key.range,
                    notes: [.note("first set here", in: source, at: first)]))
                continue
            }
            keyRanges[spec.name] = key.range
            explicit[spec.name] = (value, valueToken.range)
        }
    }

    private func unknownParameter(_ key: Token, schema: KindSchema, suggestion: String?, source: SourceFile) -> Diagnostic {
        let kind = schema.kind
        let names = schema.parameters.map(\.name)
        let message = "unknown parameter '\(key.text)' for \(Self.article(kind.rawValue)) \(kind.rawValue) step"
            + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        let notes: [Diagnostic] = suggestion == nil
            ? [.note("\(Self.article(kind.rawValue)) \(kind.rawValue) step takes "
                     + (names.isEmpty ? "no parameters" : names.joined(separator: ", ")))]
            : []
        return Diagnostic(message, in: source, at: key.range, notes: notes)
    }

    private func invalidValue(_ written: String, unquoted: String?, spec: ParameterSpec, kind: StepKind,
                              source: SourceFile, range: SourceRange) -> Diagnostic {
        var message = "invalid value '\(written)' for parameter '\(spec.name)' of \(Self.article(kind.rawValue)) "
            + "\(kind.rawValue) step: expected \(spec.type.phrase)"
        if case .choice(let words) = spec.type, let unquoted {
            message += Suggestion.phrase(for: unquoted, in: words)
        }
        return Diagnostic(message, in: source, at: range)
    }

    static func article(_ word: String) -> String {
        guard let first = word.first else { return "a" }
        return "aeiou".contains(first) ? "an" : "a"
    }

    // MARK: Artifacts

    /// Checks every header against its kind's slots, in run order; returns the resolved artifacts per step.
    private mutating func checkArtifacts(_ steps: [ParsedStep]) -> (inputs: [[ArtifactRef]], outputs: [[ArtifactRef]]) {
        var madeLater: [String: Made] = [:]
        for (index, step) in steps.enumerated() {
            for (position, token) in step.syntax.outputs.enumerated() where madeLater[token.text] == nil {
                madeLater[token.text] = Made(step: index, token: token, slot: step.slot(output: position))
            }
        }
        var made: [String: Made] = [:]
        var allInputs: [[ArtifactRef]] = []
        var allOutputs: [[ArtifactRef]] = []
        for (index, step) in steps.enumerated() {
            var inputs: [ArtifactRef] = []
            var outputs: [ArtifactRef] = []
            defer {
                allInputs.append(inputs)
                allOutputs.append(outputs)
            }
            let syntax = step.syntax
            let source = step.source
            guard let schema = step.schema, syntax.headerIsValid else {
                for (position, token) in syntax.outputs.enumerated() where made[token.text] == nil {
                    made[token.text] = Made(step: index, token: token, slot: step.schema == nil ? nil
                                                : step.slot(output: position))
                }
                continue
            }
            let kind = schema.kind
            let kindPhrase = "\(Self.article(kind.rawValue)) \(kind.rawValue) step"
            let slotList = "(" + schema.inputs.map(\.description).joined(separator: ", ") + ")"

            if syntax.inputs.count > schema.inputs.count {
                let extra = syntax.inputs[schema.inputs.count]
                diagnostics.append(Diagnostic(
                    schema.inputs.isEmpty
                        ? "\(kindPhrase) reads no artifacts, but '\(extra.text)' is named"
                        : "\(kindPhrase) reads at most \(schema.inputs.count) artifact"
                            + "\(schema.inputs.count == 1 ? "" : "s") \(slotList), but \(syntax.inputs.count) are named",
                    in: source, at: extra.range, notes: [.note("\(kind.rawValue) reads: \(schema.signature)")]))
            } else if syntax.inputs.count < schema.inputCountRange.lowerBound {
                let needed = schema.inputCountRange.lowerBound
                diagnostics.append(Diagnostic(
                    "\(kindPhrase) needs \(needed) input\(needed == 1 ? "" : "s") \(slotList), but "
                        + "\(syntax.inputs.count) \(syntax.inputs.count == 1 ? "is" : "are") named",
                    in: source, at: syntax.kind.range,
                    notes: [.note("write the header like '\(schema.signature)' with your artifact names")]))
            }
            for (position, token) in syntax.inputs.enumerated() where position < schema.inputs.count {
                let slot = schema.inputs[position]
                guard let maker = made[token.text] else {
                    if let later = madeLater[token.text] {
                        let laterStep = steps[later.step]
                        diagnostics.append(Diagnostic(
                            "artifact '\(token.text)' is read before it is made: step '\(laterStep.fileName.name)' "
                                + "makes it later",
                            in: source, at: token.range,
                            notes: [.note("'\(token.text)' is made here", in: laterStep.source, at: later.token.range)]))
                    } else {
                        let suggestion = Suggestion.phrase(for: token.text, in: made.keys.sorted())
                        diagnostics.append(Diagnostic(
                            "no step makes an artifact named '\(token.text)'\(suggestion)",
                            in: source, at: token.range))
                    }
                    continue
                }
                guard let made = maker.slot else { continue }
                let makerStep = steps[maker.step]
                if made.type != slot.type {
                    diagnostics.append(Diagnostic(
                        "input \(position + 1) of \(kindPhrase) must be \(Self.article(slot.type.rawValue)) "
                            + "\(slot.type.rawValue), but '\(token.text)' is \(Self.article(made.type.rawValue)) "
                            + "\(made.type.rawValue)",
                        in: source, at: token.range,
                        notes: [.note("'\(token.text)' is made here", in: makerStep.source, at: maker.token.range)]))
                    continue
                }
                if let expected = slot.role, let actual = made.role, expected != actual {
                    diagnostics.append(Diagnostic(
                        "input \(position + 1) of \(kindPhrase) expects \(slot.type.rawValue)(\(expected)), but "
                            + "'\(token.text)' is \(made.type.rawValue)(\(actual))",
                        severity: .warning, in: source, at: token.range,
                        notes: [.note("'\(token.text)' is made here", in: makerStep.source, at: maker.token.range)]))
                }
                inputs.append(ArtifactRef(name: token.text, range: token.range, type: made.type, role: made.role,
                                          producer: makerStep.fileName.name))
            }

            if syntax.outputs.count != schema.outputs.count {
                let count = schema.outputs.count
                let list = schema.outputs.map(\.description).joined(separator: ", ")
                let range = syntax.outputs.count > count ? syntax.outputs[count].range : syntax.header.range
                diagnostics.append(Diagnostic(
                    "\(kindPhrase) makes \(count) artifact\(count == 1 ? "" : "s") (\(list)), but "
                        + "\(syntax.outputs.count) \(syntax.outputs.count == 1 ? "is" : "are") named after '->'",
                    in: source, at: range,
                    notes: [.note("write the header like '\(schema.signature)' with your artifact names")]))
            }
            for (position, token) in syntax.outputs.enumerated() {
                if let first = made[token.text] {
                    diagnostics.append(Diagnostic(
                        "artifact '\(token.text)' is made twice; give each output its own name",
                        in: source, at: token.range,
                        notes: [.note("first made here", in: steps[first.step].source, at: first.token.range)]))
                    continue
                }
                let slot = step.slot(output: position)
                made[token.text] = Made(step: index, token: token, slot: slot)
                if let slot {
                    outputs.append(ArtifactRef(name: token.text, range: token.range, type: slot.type, role: slot.role,
                                               producer: nil))
                }
            }
        }
        return (allInputs, allOutputs)
    }

    // MARK: Overrides

    private mutating func applyOverrides(_ arguments: [String], to steps: inout [ParsedStep], workflow: String) {
        var seen: [String: SourceFile] = [:]
        for argument in arguments {
            let override: ParameterOverride
            do {
                override = try ParameterOverride.parse(argument)
            } catch {
                diagnostics.append(error)
                continue
            }
            let source = override.source
            guard let index = steps.firstIndex(where: { $0.fileName.name == override.step }) else {
                let suggestion = Suggestion.phrase(for: override.step, in: steps.map(\.fileName.name))
                diagnostics.append(Diagnostic(
                    "no step named '\(override.step)' in workflow '\(workflow)'\(suggestion)",
                    in: source, at: override.stepRange,
                    notes: [.note("steps: " + steps.map(\.fileName.name).joined(separator: ", "))]))
                continue
            }
            guard let schema = steps[index].schema else { continue }
            let kind = schema.kind
            guard let spec = schema.parameter(named: override.key) else {
                let keyToken = Token(kind: .word, text: override.key, range: override.keyRange)
                diagnostics.append(unknownParameter(
                    keyToken, schema: schema,
                    suggestion: Suggestion.closest(to: override.key, in: schema.parameters.map(\.name)),
                    source: source))
                continue
            }
            guard let value = ParameterValue.parse(override.value, quoted: override.isQuoted, as: spec.type) else {
                let written = override.isQuoted ? "\"\(override.value)\"" : override.value
                diagnostics.append(invalidValue(written, unquoted: override.value, spec: spec, kind: kind,
                                                source: source, range: override.valueRange))
                continue
            }
            let id = "\(override.step).\(override.key)"
            if let first = seen[id] {
                diagnostics.append(Diagnostic(
                    "\(id) is set twice on the command line; keep one", in: source, at: override.keyRange,
                    notes: [.note("first set by \(first.text)")]))
                continue
            }
            seen[id] = source
            steps[index].explicit[spec.name] = (value, override.valueRange)
        }
    }
}
