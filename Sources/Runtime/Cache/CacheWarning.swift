/// A cache entry that failed verification: it was deleted and its step must be computed again.
public struct CacheWarning: Sendable, Equatable, CustomStringConvertible {
    public var key: CacheKey
    public var path: String
    public var reason: String

    public init(key: CacheKey, path: String, reason: String) {
        self.key = key
        self.path = path
        self.reason = reason
    }

    public var description: String {
        "warning: cache entry \(key.prefix) is corrupt (\(reason)); deleted \(path), its step will be recomputed"
    }
}
