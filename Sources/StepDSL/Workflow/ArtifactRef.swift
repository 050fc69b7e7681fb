/// An artifact named in a step's header, with the type its slot gives it.
public struct ArtifactRef: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    /// Where the name is written in the step file.
    public let range: SourceRange
    public let type: ArtifactType
    /// For an output, the role of the artifact made; for an input, the role of the artifact read.
    public let role: String?
    /// For an input, the name of the step that makes it; nil for outputs.
    public let producer: String?

    public init(name: String, range: SourceRange, type: ArtifactType, role: String?, producer: String?) {
        self.name = name
        self.range = range
        self.type = type
        self.role = role
        self.producer = producer
    }

    public var description: String { name }
}
