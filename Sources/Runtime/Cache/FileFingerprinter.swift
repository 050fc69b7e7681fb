import Crypto
import Foundation
import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// Content hashes of the files steps read, with a fast path: a file whose size, modification time and status
/// change time (both to the nanosecond), inode and device match what the stat cache remembers keeps its
/// remembered hash without being read. The change time (ctime) is what makes the fast path safe: `touch -r` or
/// `cp -p` can put an old modification time back, but any write or metadata change sets ctime to now, and no
/// ordinary call can set it back. The stat cache is a small JSON file (`Outputs/.cache/stat-cache.json`), saved
/// with `save()`; records written before ctime was part of it have none and are simply rehashed.
///
/// With `trustStatCache` false (`--force`) every file is hashed in full, so what a forced run computes is keyed
/// by the content it read, whatever the stat cache says.
public struct FileFingerprinter: Sendable {
    public let statCacheURL: URL
    private var records: [String: Record]
    private var dirty = false
    /// Paths whose content was hashed (not answered from the stat cache) since this value was made.
    public private(set) var rehashed: [String] = []
    /// Whether a matching stat record may answer without reading the file.
    public var trustStatCache = true

    struct Record: Codable, Equatable, Sendable {
        var size: Int64
        var mtimeSeconds: Int64
        var mtimeNanoseconds: Int64
        var inode: UInt64
        var device: UInt64
        /// Status change time; nil in records from before it was kept, which therefore never match.
        var ctimeSeconds: Int64?
        var ctimeNanoseconds: Int64?
        /// Whether the file had been unchanged for a while when it was hashed. File times come from a clock
        /// that ticks every few milliseconds, so a write in the same tick as the hash would leave the stamp as
        /// it was; such a "racy" record (as git calls it) is not trusted, the file is hashed again next time.
        var settled: Bool?
        var sha256: String

        func sameStamp(as other: Record) -> Bool {
            size == other.size && mtimeSeconds == other.mtimeSeconds && mtimeNanoseconds == other.mtimeNanoseconds
                && inode == other.inode && device == other.device && settled == true && ctimeSeconds != nil
                && ctimeSeconds == other.ctimeSeconds && ctimeNanoseconds == other.ctimeNanoseconds
        }
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

    /// The SHA-256 (`sha256:<hex>`) of the file's content. Anything but a regular file (a directory, a FIFO…)
    /// is refused without being opened.
    public mutating func contentHash(of url: URL) throws -> String {
        let path = url.standardizedFileURL.path
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw FileError(path: path, reason: "cannot fingerprint it: \(String(cString: strerror(errno)))")
        }
        if let kind = RegularFile.kindName(mode: st.st_mode) {
            throw FileError(path: path, reason: RegularFile.notRegularReason(kind))
        }
        let current = Record(size: Int64(st.st_size), mtimeSeconds: Int64(st.st_mtim.tv_sec),
                             mtimeNanoseconds: Int64(st.st_mtim.tv_nsec), inode: UInt64(st.st_ino),
                             device: UInt64(st.st_dev), ctimeSeconds: Int64(st.st_ctim.tv_sec),
                             ctimeNanoseconds: Int64(st.st_ctim.tv_nsec), sha256: "")
        if trustStatCache, let known = records[path], known.sameStamp(as: current) {
            return known.sha256
        }
        let started = Date().timeIntervalSince1970
        let data = try MappedFile.map(URL(fileURLWithPath: path))
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        var record = current
        record.sha256 = "sha256:" + digest
        record.settled = Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9 + Self.racyInterval < started
        records[path] = record
        dirty = true
        rehashed.append(path)
        return record.sha256
    }

    /// How long a file must have been unchanged before its hash may be remembered by its stamp.
    static let racyInterval = 0.05

    /// Writes the stat cache if anything changed.
    public mutating func save() throws {
        guard dirty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(encoder.encode(records), to: statCacheURL)
        dirty = false
    }
}
