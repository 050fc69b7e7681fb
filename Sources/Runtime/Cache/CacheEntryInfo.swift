import Foundation

/// What the cache knows about one entry without reading its tensors.
public struct CacheEntryInfo: Sendable, Equatable {
    public var key: CacheKey
    public var step: String
    public var workflow: String
    /// The run that computed the entry.
    public var runID: String
    public var created: Date
    /// When a run last read the entry (the file's modification time, refreshed on every verified read).
    public var lastUsed: Date
    /// The entry file's size on disk.
    public var fileBytes: Int

    public init(key: CacheKey, step: String, workflow: String, runID: String, created: Date, lastUsed: Date,
                fileBytes: Int) {
        self.key = key
        self.step = step
        self.workflow = workflow
        self.runID = runID
        self.created = created
        self.lastUsed = lastUsed
        self.fileBytes = fileBytes
    }
}
