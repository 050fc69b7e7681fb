import Foundation

#if canImport(Glibc)
import Glibc
import StepwiseErrors
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
    /// Writes `data` to a unique temporary file beside `url` (created with `O_EXCL`, named after the pid, the host
    /// and a random number), flushes it to disk, then renames it over `url`.
    /// Readers see either the old file or the new one, never a mix; a crash leaves at most a stray temp file.
    ///
    /// `durable: false` skips the flush: for files that can be recomputed and carry their own checksum (cache
    /// entries), where a power cut may lose the file but never makes a wrong one pass as right.
    public static func write(_ data: Data, to url: URL, durable: Bool = true) throws {
        try write(parts: [data], to: url, durable: durable)
    }

    /// This machine's name as temporaries carry it beside the writer's pid (`.<name>.<pid>@<host>.<random>.tmp`):
    /// the host name up to its first dot, letters, digits and '-' only. On a file system several hosts share, a
    /// sweep of leftovers then judges by pid only the temporaries of its own host.
    public static let hostTag: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let tag = name.prefix { $0 != "." }.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        return tag.isEmpty ? "unknown" : String(tag)
    }()

    /// The same for a file made of several pieces, written one after the other without joining them first.
    public static func write(parts: [Data], to url: URL, durable: Bool = true) throws {
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: dir.path, reason: "cannot create this folder (\(error.localizedDescription))")
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid())@\(hostTag).\(UInt32.random(in: 0...UInt32.max)).tmp")
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

/// Reading files that must be regular files: a directory, FIFO, socket or device in their place is refused with
/// a message saying what it is, and opening never blocks (a FIFO with no writer would wait forever otherwise).
public enum RegularFile {
    /// What a `stat` mode is, when it is not a regular file ("a directory", "a FIFO (named pipe)", …); nil for a
    /// regular file.
    public static func kindName(mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "not a regular file"
        }
    }

    /// The reason given when `path` is something other than a regular file.
    public static func notRegularReason(_ kind: String) -> String {
        "is \(kind), not a regular file"
    }

    /// Checks, without opening it, that `url` (symbolic links followed) is a regular file. Errors name the
    /// path and what it is instead, or the system's reason ("No such file or directory").
    public static func check(_ url: URL) throws(FileError) {
        var st = stat()
        guard stat(url.path, &st) == 0 else { throw FileError(path: url.path, reason: String(cString: strerror(errno))) }
        if let kind = kindName(mode: st.st_mode) { throw FileError(path: url.path, reason: notRegularReason(kind)) }
    }

    /// Opens a regular file for reading without blocking and returns its descriptor and status; the caller
    /// closes it. Anything else is refused before a byte is read.
    public static func open(_ url: URL) throws(FileError) -> (fd: Int32, status: stat) {
        let fd = Glibc.open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: url.path, reason: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw FileError(path: url.path, reason: reason)
        }
        if let kind = kindName(mode: st.st_mode) {
            close(fd)
            throw FileError(path: url.path, reason: notRegularReason(kind))
        }
        return (fd, st)
    }

    /// The whole content of a regular file, read into memory (a copy: later changes to the file do not show).
    public static func read(_ url: URL) throws(FileError) -> Data {
        let (fd, st) = try open(url)
        defer { close(fd) }
        var data = Data(count: Int(st.st_size))
        var done = 0
        while true {
            if done == data.count { data.count += max(4096, data.count / 2) }  // the file may have grown
            let n = data.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + done, raw.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: url.path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            done += n
        }
        data.count = done
        return data
    }
}

/// Folders made with the system's own reasons in errors ("Not a directory", "No space left on device"),
/// not Foundation's wrapped ones.
public enum Folder {
    /// Creates `url` and any missing parents, like `mkdir -p`; an existing folder is fine. Errors name the
    /// folder that could not be made.
    public static func create(_ url: URL) throws(FileError) {
        let path = url.path
        if mkdir(path, 0o755) == 0 { return }
        var code = errno
        if code == ENOENT, url.deletingLastPathComponent().path != path {
            try create(url.deletingLastPathComponent())
            if mkdir(path, 0o755) == 0 { return }
            code = errno
        }
        if code == EEXIST {
            var st = stat()
            guard stat(path, &st) == 0 else { throw FileError(path: path, reason: String(cString: strerror(errno))) }
            if st.st_mode & S_IFMT == S_IFDIR { return }
            throw FileError(path: path, reason: "cannot create this folder: \(RegularFile.kindName(mode: st.st_mode) ?? "a file") is in its place")
        }
        throw FileError(path: path, reason: "cannot create this folder: \(String(cString: strerror(code)))")
    }
}

/// Read-only memory maps wrapped as `Data` that unmaps when the last copy goes. Only regular files are mapped
/// (see `RegularFile`).
public enum MappedFile {
    public static func map(_ url: URL) throws -> Data {
        let (fd, st) = try RegularFile.open(url)
        defer { close(fd) }
        let size = Int(st.st_size)
        if size == 0 { return Data() }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw FileError(path: url.path, reason: String(cString: strerror(errno)))
        }
        return Data(bytesNoCopy: base, count: size, deallocator: .custom { ptr, count in munmap(ptr, count) })
    }
}

extension FileError: ExitCoded {
    public var exitCode: Int32 { ExitCode.failure }
}
