/// One parameter of a step kind: name, type and range, default and meaning.
public struct ParameterSpec: Sendable, Hashable {
    public let name: String
    public let type: ParameterType
    public let defaultValue: ParameterValue
    public let doc: String

    public init(_ name: String, _ type: ParameterType, default defaultValue: ParameterValue, _ doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
    }
}
