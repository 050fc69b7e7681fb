import Tensor

/// The tensors of one layer by PyTorch `state_dict` name relative to the layer (`weight`, `norm1.bias`,
/// `attn.qkv.weight`, `running_mean`), in the order PyTorch registers them. Buffers (batch-norm running
/// statistics) are not trainable: optimizers skip them and parameter counts leave them out.
public struct LayerParameters: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var tensor: Tensor
        public var trainable: Bool
        /// Whether the optimizer's weight decay applies (PyTorch parameter groups: transformer recipes exempt
        /// biases, norms, the class token and the position embedding).
        public var decays: Bool

        public init(_ name: String, _ tensor: Tensor, trainable: Bool = true, decays: Bool = true) {
            (self.name, self.tensor, self.trainable, self.decays) = (name, tensor, trainable, decays)
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    /// The usual four: `weight` and `bias` trainable, `running_mean` and `running_var` buffers.
    public init(weight: Tensor? = nil, bias: Tensor? = nil, runningMean: Tensor? = nil, runningVar: Tensor? = nil) {
        entries = []
        if let weight { entries.append(Entry("weight", weight)) }
        if let bias { entries.append(Entry("bias", bias)) }
        if let runningMean { entries.append(Entry("running_mean", runningMean, trainable: false)) }
        if let runningVar { entries.append(Entry("running_var", runningVar, trainable: false)) }
    }

    /// The tensor named `name`; setting replaces it in place (a new name is appended as trainable, nil removes).
    public subscript(name: String) -> Tensor? {
        get { entries.first { $0.name == name }?.tensor }
        set {
            let index = entries.firstIndex { $0.name == name }
            switch (index, newValue) {
            case let (i?, tensor?): entries[i].tensor = tensor
            case let (i?, nil): entries.remove(at: i)
            case let (nil, tensor?): entries.append(Entry(name, tensor))
            case (nil, nil): break
            }
        }
    }

    /// The tensor named `name`, which the layer created: a missing one is a programming error.
    func required(_ name: String) -> Tensor {
        guard let tensor = self[name] else { preconditionFailure("no parameter '\(name)'") }
        return tensor
    }

    public var weight: Tensor? {
        get { self["weight"] }
        set { self["weight"] = newValue }
    }
    public var bias: Tensor? {
        get { self["bias"] }
        set { self["bias"] = newValue }
    }
    public var runningMean: Tensor? {
        get { self["running_mean"] }
        set { self["running_mean"] = newValue }
    }
    public var runningVar: Tensor? {
        get { self["running_var"] }
        set { self["running_var"] = newValue }
    }

    /// The same tensors with `prefix` before every name (a sub-layer's `weight` as a block's `norm1.weight`).
    func prefixed(_ prefix: String) -> LayerParameters {
        LayerParameters(entries.map { Entry(prefix + $0.name, $0.tensor, trainable: $0.trainable, decays: $0.decays) })
    }

    /// The tensors whose names start with `prefix`, without it.
    func subset(_ prefix: String) -> LayerParameters {
        LayerParameters(entries.filter { $0.name.hasPrefix(prefix) }.map {
            Entry(String($0.name.dropFirst(prefix.count)), $0.tensor, trainable: $0.trainable, decays: $0.decays)
        })
    }

    /// The same tensors with weight decay only on matrices (rank 2 and more), as transformer recipes group them.
    func decayingMatricesOnly() -> LayerParameters {
        LayerParameters(entries.map { Entry($0.name, $0.tensor, trainable: $0.trainable, decays: $0.tensor.rank > 1 && $0.decays) })
    }

    static func + (a: LayerParameters, b: LayerParameters) -> LayerParameters { LayerParameters(a.entries + b.entries) }

    /// Trainable scalars.
    public var trainableCount: Int { entries.reduce(0) { $0 + ($1.trainable ? $1.tensor.count : 0) } }
}
