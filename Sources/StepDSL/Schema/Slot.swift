/// An input or output position of a step kind: its type, and for datasets and models the role the artifact
/// plays (`dataset(train)`, `model(baseline)`).
public struct Slot: Sendable, Hashable, CustomStringConvertible {
    public let type: ArtifactType
    /// For outputs, the role the artifact made in this slot has. For inputs, the role expected: reading an
    /// artifact of another role is allowed but warned about (training on the test split is a likely mistake).
    public let role: String?
    public let isOptional: Bool
    /// What the slot is for, for the documentation.
    public let doc: String

    public init(_ type: ArtifactType, _ role: String? = nil, optional: Bool = false, _ doc: String) {
        self.type = type
        self.role = role
        self.isOptional = optional
        self.doc = doc
    }

    /// `dataset(train)`, `model`, `dataset(validation)?`.
    public var description: String {
        let base = role.map { "\(type.rawValue)(\($0))" } ?? type.rawValue
        return isOptional ? base + "?" : base
    }
}
