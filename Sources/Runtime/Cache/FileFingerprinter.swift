import Crypto
import Foundation
import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// Content hashes of the files steps read, with a fast path: a file whose size, modification time (to the
/// nanosecond), inode and device match what the stat cache remembers keeps its remembered hash without being
/// read. The stat cache is a small JSON file (`Outputs/.cache/stat-cache.json`), saved with `save()`.
public struct FileFingerprinter: Sendable {
    public let statCacheURL: URL
    private var records: [String: Record]
    private var dirty = false
    /// Paths whose content was hashed (not answered from the stat cache) since this value was made.
    public private(set) var rehashed: [String] = []

    struct Record: Codable, Equatable, Sendable {
        var size: Int64
        var mtimeSeconds: Int64
        var mtimeNanoseconds: Int64
        var inode: UInt64
        var device: UInt64
        var sha256: String
    }

    /// Loads the stat cache; a missing or unreadable one starts empty (it only saves time, never decides results).
    public init(statCacheURL: URL) {
        self.statCacheURL = statCacheURL
        if let data = try? Data(contentsOf: statCacheURL),
           let records = try? JSONDecoder().decode([String: Record].self, from: data) {
            self.records = records
        } else {
            self.records = [:]
        }
    }

    public init(cache: CacheStore) {
        self.init(statCacheURL: cache.root.appendingPathComponent("stat-cache.json"))
    }

    /// The SHA-256 (`sha256:<hex>`) of the file's content.
    public mutating func contentHash(of url: URL) throws -> String {
        let path = url.standardizedFileURL.path
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw FileError(path: path, reason: "cannot fingerprint it: \(String(cString: strerror(errno)))")
        }
        let current = Record(size: Int64(st.st_size), mtimeSeconds: Int64(st.st_mtim.tv_sec),
                             mtimeNanoseconds: Int64(st.st_mtim.tv_nsec), inode: UInt64(st.st_ino),
                             device: UInt64(st.st_dev), sha256: "")
        if let known = records[path], known.size == current.size, known.mtimeSeconds == current.mtimeSeconds,
           known.mtimeNanoseconds == current.mtimeNanoseconds, known.inode == current.inode,
           known.device == current.device {
            return known.sha256
        }
        let data = try MappedFile.map(URL(fileURLWithPath: path))
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        var record = current
        record.sha256 = "sha256:" + digest
        records[path] = record
        dirty = true
        rehashed.append(path)
        return record.sha256
    }

    /// Writes the stat cache if anything changed.
    public mutating func save() throws {
        guard dirty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(encoder.encode(records), to: statCacheURL)
        dirty = false
    }
}
