import Foundation

/// The text a diagnostic points into: a step file, or one `--set` override as typed on the command line.
///
/// Line and column numbers are not stored: they are computed from the text only when a diagnostic is
/// rendered, so parsing a workflow that has no errors never pays for them.
public struct SourceFile: Sendable {
    public enum Origin: Sendable, Hashable {
        /// A step file; `path` is the path shown to the user.
        case file
        /// A command-line argument; `path` and `text` are the argument itself (`--set train.epochs=abc`).
        case commandLine
    }

    public let path: String
    public let text: String
    public let origin: Origin

    public init(path: String, text: String, origin: Origin = .file) {
        self.path = path
        self.text = text
        self.origin = origin
    }

    /// The 1-based line and column of a UTF-8 offset, and the text of that line (without its newline).
    /// Columns count characters, so a tab or a multi-byte letter is one column.
    public func lineAndColumn(ofOffset offset: Int) -> (line: Int, column: Int, lineText: Substring) {
        let utf8 = text.utf8
        let clamped = max(0, min(offset, utf8.count))
        var line = 1
        var lineStart = utf8.startIndex
        var index = utf8.startIndex
        var position = 0
        while position < clamped, index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
            position += 1
        }
        var lineEnd = lineStart
        while lineEnd != utf8.endIndex, utf8[lineEnd] != UInt8(ascii: "\n") { lineEnd = utf8.index(after: lineEnd) }
        let column = text[lineStart..<index].count + 1
        var lineText = text[lineStart..<lineEnd]
        if lineText.hasSuffix("\r") { lineText = lineText.dropLast() }
        return (line, column, lineText)
    }
}
