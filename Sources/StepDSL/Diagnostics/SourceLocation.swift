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
