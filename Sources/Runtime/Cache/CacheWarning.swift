/// A cache entry that failed verification: its step must be computed again. `run` deletes it; `plan`, which
/// writes nothing, leaves it for the next run to delete.
public struct CacheWarning: Sendable, Equatable, CustomStringConvertible {
    public var key: CacheKey
    public var path: String
    public var reason: String
    /// Whether the entry was deleted.
    public var deleted: Bool

    public init(key: CacheKey, path: String, reason: String, deleted: Bool = true) {
        self.key = key
        self.path = path
        self.reason = reason
        self.deleted = deleted
    }

    /// The whole line, starting with "warning: ".
    public var description: String {
        deleted
            ? "warning: cache entry \(key.prefix) is corrupt (\(reason)); deleted \(path), its step will be recomputed"
            : "warning: cache entry \(key.prefix) is corrupt (\(reason)): \(path); its step will run, and `stepwise run` will delete it"
    }
}
