/// Splits a step file into lines of tokens. Comments (`#` to the end of the line, outside quotes) and blank
/// lines are dropped. Works on UTF-8 bytes and splits only at ASCII characters, so every token boundary is a
/// character boundary.
struct Lexer {
    let source: SourceFile

    func lines() -> (lines: [SourceLine], diagnostics: [Diagnostic]) {
        var lines: [SourceLine] = []
        var diagnostics: [Diagnostic] = []
        let bytes = Array(source.text.utf8)
        var position = 0
        while position < bytes.count {
            var lineEnd = position
            while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let tokens = lexLine(bytes, from: position, to: lineEnd, diagnostics: &diagnostics)
            if !tokens.isEmpty {
                let first = bytes[position]
                lines.append(SourceLine(isIndented: first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"),
                                        tokens: tokens))
            }
            position = lineEnd + 1
        }
        return (lines, diagnostics)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private func lexLine(_ bytes: [UInt8], from start: Int, to end: Int, diagnostics: inout [Diagnostic])
        -> [Token] {
        var tokens: [Token] = []
        var i = start
        func text(_ from: Int, _ to: Int) -> String { String(decoding: bytes[from..<to], as: UTF8.self) }
        while i < end {
            let byte = bytes[i]
            if Self.isSpace(byte) { i += 1; continue }
            if byte == UInt8(ascii: "#") { break }
            if byte == UInt8(ascii: ",") {
                tokens.append(Token(kind: .comma, text: ",", range: SourceRange(start: i, end: i + 1)))
                i += 1
                continue
            }
            if byte == UInt8(ascii: "-"), i + 1 < end, bytes[i + 1] == UInt8(ascii: ">") {
                tokens.append(Token(kind: .arrow, text: "->", range: SourceRange(start: i, end: i + 2)))
                i += 2
                continue
            }
            if byte == UInt8(ascii: "\"") {
                var value: [UInt8] = []
                var j = i + 1
                var closed = false
                while j < end {
                    let c = bytes[j]
                    if c == UInt8(ascii: "\"") { closed = true; j += 1; break }
                    if c == UInt8(ascii: "\\") {
                        if j + 1 < end, bytes[j + 1] == UInt8(ascii: "\"") || bytes[j + 1] == UInt8(ascii: "\\") {
                            value.append(bytes[j + 1])
                            j += 2
                            continue
                        }
                        diagnostics.append(Diagnostic(
                            "unknown escape in a quoted string; only \\\" and \\\\ are escapes",
                            in: source, at: SourceRange(start: j, end: min(j + 2, end))))
                        j += 1
                        continue
                    }
                    value.append(c)
                    j += 1
                }
                let range = SourceRange(start: i, end: j)
                if !closed {
                    diagnostics.append(Diagnostic(
                        "unterminated string: add a closing '\"' before the end of the line", in: source, at: range))
                }
                tokens.append(Token(kind: .string(String(decoding: value, as: UTF8.self)), text: text(i, j),
                                    range: range))
                i = j
                continue
            }
            var j = i
            while j < end {
                let c = bytes[j]
                if Self.isSpace(c) || c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "#") {
                    break
                }
                if c == UInt8(ascii: "-"), j + 1 < end, bytes[j + 1] == UInt8(ascii: ">") { break }
                j += 1
            }
            tokens.append(Token(kind: .word, text: text(i, j), range: SourceRange(start: i, end: j)))
            i = j
        }
        return tokens
    }
}
