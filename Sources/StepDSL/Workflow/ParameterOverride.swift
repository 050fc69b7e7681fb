/// A `--set step.key=value` argument. Its value is checked like a value in a step file; diagnostics point into
/// the argument (`--> --set train.epochs=abc` with a caret under `abc`).
public struct ParameterOverride: Sendable {
    public let step: String
    public let key: String
    /// The value as written (without quotes if it was quoted).
    public let value: String
    public let isQuoted: Bool
    /// The argument as the user typed it, `--set ` included, for diagnostics.
    public let source: SourceFile
    public let stepRange: SourceRange
    public let keyRange: SourceRange
    public let valueRange: SourceRange

    /// Parses `step.key=value` (also accepted with a leading `--set `).
    public static func parse(_ argument: String) throws(Diagnostic) -> ParameterOverride {
        var body = argument
        if body.hasPrefix("--set ") { body.removeFirst(6) } else if body.hasPrefix("--set=") { body.removeFirst(6) }
        let text = "--set " + body
        let source = SourceFile(path: text, text: text, origin: .commandLine)
        let base = 6
        let bytes = Array(body.utf8)
        func range(_ start: Int, _ end: Int) -> SourceRange { SourceRange(start: base + start, end: base + end) }
        func string(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }
        let usage = Diagnostic.note("write --set STEP.KEY=VALUE, e.g. --set train.epochs=3")

        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else {
            throw Diagnostic("missing '=' in override '\(body)'", in: source, at: range(0, bytes.count),
                             notes: [usage])
        }
        guard let dot = bytes[..<equals].firstIndex(of: UInt8(ascii: ".")) else {
            throw Diagnostic("missing step name in override '\(body)'", in: source, at: range(0, equals),
                             notes: [usage])
        }
        let step = string(0, dot).trimmingSpaces()
        let key = string(dot + 1, equals).trimmingSpaces()
        guard !step.isEmpty else {
            throw Diagnostic("missing step name before '.'", in: source, at: range(0, dot + 1), notes: [usage])
        }
        guard !key.isEmpty else {
            throw Diagnostic("missing parameter name after '\(step).'", in: source, at: range(dot, equals + 1),
                             notes: [usage])
        }
        var valueStart = equals + 1
        var valueEnd = bytes.count
        while valueStart < valueEnd, bytes[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        while valueEnd > valueStart, bytes[valueEnd - 1] == UInt8(ascii: " ") { valueEnd -= 1 }
        guard valueStart < valueEnd else {
            throw Diagnostic("missing value after '\(step).\(key)='", in: source, at: range(equals, equals + 1),
                             notes: [usage])
        }
        var value = string(valueStart, valueEnd)
        var quoted = false
        if bytes[valueStart] == UInt8(ascii: "\"") {
            let lexed = Lexer(source: SourceFile(path: text, text: value)).lines()
            guard lexed.diagnostics.isEmpty, let line = lexed.lines.first, line.tokens.count == 1,
                  case .string(let unquoted) = line.tokens[0].kind else {
                throw Diagnostic("malformed quoted value: close the quote and escape inner quotes as \\\"",
                                 in: source, at: range(valueStart, valueEnd))
            }
            value = unquoted
            quoted = true
        }
        return ParameterOverride(step: step, key: key, value: value, isQuoted: quoted, source: source,
                                 stepRange: range(0, dot), keyRange: range(dot + 1, equals),
                                 valueRange: range(valueStart, valueEnd))
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
