import Tensor

/// What a cache entry holds: a step's output tensors and the outputs' metadata (JSON strings under names the
/// step chooses). Names starting with `stepwise.cache.` are the cache's own and may not be used.
public struct CachedOutputs: Sendable {
    public var tensors: [String: TensorEntry]
    public var metadata: [String: String]

    public init(tensors: [String: TensorEntry] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }
}
