import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file error that names the path and the system's reason.
public struct FileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

/// Whole-file writes that never leave a half-written file behind.
public enum AtomicFile {
    /// Writes `data` to a unique temporary file beside `url`, flushes it to disk, then renames it over `url`.
    /// Readers see either the old file or the new one, never a mix; a crash leaves at most a stray temp file.
    ///
    /// `durable: false` skips the flush: for files that can be recomputed and carry their own checksum (cache
    /// entries), where a power cut may lose the file but never makes a wrong one pass as right.
    public static func write(_ data: Data, to url: URL, durable: Bool = true) throws {
        try write(parts: [data], to: url, durable: durable)
    }

    /// The same for a file made of several pieces, written one after the other without joining them first.
    public static func write(parts: [Data], to url: URL, durable: Bool = true) throws {
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: dir.path, reason: "cannot create this folder (\(error.localizedDescription))")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: tmp.path, reason: String(cString: strerror(errno))) }
        var ok = false
        defer {
            if !ok { unlink(tmp.path) }
        }
        for data in parts { try data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw FileError(path: tmp.path, reason: reason)
                }
                done += n
            }
        } }
        if (durable && fsync(fd) != 0) || close(fd) != 0 {
            throw FileError(path: tmp.path, reason: String(cString: strerror(errno)))
        }
        guard rename(tmp.path, url.path) == 0 else {
            throw FileError(path: url.path, reason: String(cString: strerror(errno)))
        }
        ok = true
    }

    public static func write(_ string: String, to url: URL) throws {
        try write(Data(string.utf8), to: url)
    }
}

/// Read-only memory maps wrapped as `Data` that unmaps when the last copy goes.
public enum MappedFile {
    public static func map(_ url: URL) throws -> Data {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileError(path: url.path, reason: String(cString: strerror(errno))) }
        let size = Int(st.st_size)
        if size == 0 { return Data() }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw FileError(path: url.path, reason: String(cString: strerror(errno)))
        }
        return Data(bytesNoCopy: base, count: size, deallocator: .custom { ptr, count in munmap(ptr, count) })
    }
}
