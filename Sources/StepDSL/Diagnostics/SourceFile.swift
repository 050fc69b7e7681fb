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

/// A span of a source text as UTF-8 byte offsets (`start..<end`).
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    public let start: Int
    public let end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }

    public var description: String { "\(start)..<\(end)" }
}

/// A range in a particular source text.
public struct SourceLocation: Sendable {
    public let source: SourceFile
    public let range: SourceRange?

    public init(source: SourceFile, range: SourceRange?) {
        self.source = source
        self.range = range
    }

    /// A whole file or folder, with no position inside it (a file that is not UTF-8, an empty folder).
    public init(path: String) {
        self.source = SourceFile(path: path, text: "")
        self.range = nil
    }
}
