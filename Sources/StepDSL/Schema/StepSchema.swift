/// The table of step kinds a workflow may use: slots, parameters, defaults, ranges and documentation of each.
/// The checker, the runtime's typed getters and the reference section of docs/DSL.md (`markdownReference()`)
/// all read it. The language only knows what each kind declares; the runtime builds the table from its kinds,
/// each declared in the file that also interprets it.
public struct StepSchema: Sendable {
    /// The kinds in the order the reference lists them.
    public let all: [KindSchema]
    private let byName: [String: KindSchema]

    public init(_ kinds: [KindSchema]) {
        var byName: [String: KindSchema] = [:]
        for kind in kinds {
            precondition(byName[kind.kind.rawValue] == nil, "step kind '\(kind.kind)' is declared twice")
            byName[kind.kind.rawValue] = kind
        }
        self.all = kinds
        self.byName = byName
    }

    public func schema(for kind: StepKind) -> KindSchema? {
        byName[kind.rawValue]
    }

    /// The kinds' names, as a header writes them, in reference order.
    public var kindNames: [String] { all.map(\.kind.rawValue) }
}
