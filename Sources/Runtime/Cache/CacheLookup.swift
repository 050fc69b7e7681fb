/// The answer to "is this key in the cache?".
public enum CacheLookup: Sendable {
    /// A verified entry.
    case hit(CachedOutputs, CacheEntryInfo)
    case miss
    /// The entry was corrupt or truncated; it has been deleted (unless looked up read-only).
    case discarded(CacheWarning)
}
