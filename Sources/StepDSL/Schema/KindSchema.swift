/// Everything the language knows about one step kind.
public struct KindSchema: Sendable {
    public enum Body: Sendable, Hashable {
        /// `key value` lines.
        case parameters
        /// Layer lines (the build step); its parameters, if any, are written as `key value` lines too.
        case layers
    }

    public let kind: StepKind
    public let summary: String
    public let inputs: [Slot]
    public let outputs: [Slot]
    public let body: Body
    public let parameters: [ParameterSpec]
    /// What the step reads from disk besides its inputs, if anything.
    public let reads: FileInput?
    /// Whether the step draws random numbers (shuffles, initialises, augments, drops out). Only such a step
    /// depends on the run seed: its derived seed is part of its cache key, and `--seed` reruns it. The others'
    /// keys have no seed.
    public let usesSeed: Bool
    /// Whether the step's results depend on the thread count (its sums are split across threads, so the float
    /// rounding differs). Its thread count (`--threads`, or its own `threads` parameter) is part of its cache key.
    public let usesThreads: Bool

    public init(kind: StepKind, summary: String, inputs: [Slot], outputs: [Slot], body: Body = .parameters,
                parameters: [ParameterSpec], reads: FileInput? = nil, usesSeed: Bool, usesThreads: Bool) {
        self.kind = kind
        self.summary = summary
        self.inputs = inputs
        self.outputs = outputs
        self.body = body
        self.parameters = parameters
        self.reads = reads
        self.usesSeed = usesSeed
        self.usesThreads = usesThreads
    }

    public func parameter(named name: String) -> ParameterSpec? {
        parameters.first { $0.name == name }
    }

    /// The number of inputs a header may name: every required slot, up to every slot.
    public var inputCountRange: ClosedRange<Int> {
        inputs.filter { !$0.isOptional }.count...inputs.count
    }

    /// `train model, dataset(train), dataset(validation)? -> model, history`.
    public var signature: String {
        var out = kind.rawValue
        if !inputs.isEmpty { out += " " + inputs.map(\.description).joined(separator: ", ") }
        if !outputs.isEmpty { out += " -> " + outputs.map(\.description).joined(separator: ", ") }
        return out
    }
}
