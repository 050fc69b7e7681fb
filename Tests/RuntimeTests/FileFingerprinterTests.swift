import Foundation
import Runtime
import Tensor
import Testing

#if canImport(Glibc)
import Glibc
#endif

struct FileFingerprinterTests {
    let dir: TemporaryDirectory
    let file: URL
    let statCache: URL

    init() throws {
        dir = try TemporaryDirectory()
        file = dir.path("train-images.gz")
        statCache = dir.path(".cache", "stat-cache.json")
        try Data("first content".utf8).write(to: file)
        // A file changed in the last few clock ticks is always rehashed (see `Record.settled`); let it age.
        usleep(100_000)
    }

    /// Overwrites the file in place (same inode) and puts back the given modification time.
    func overwriteInPlace(_ text: String, mtime: timespec) throws {
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
        var times = [timespec(tv_sec: mtime.tv_sec, tv_nsec: mtime.tv_nsec), timespec(tv_sec: mtime.tv_sec, tv_nsec: mtime.tv_nsec)]
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)
    }

    func modificationTime() -> timespec {
        var st = stat()
        stat(file.path, &st)
        return st.st_mtim
    }

    static let firstHash = "sha256:2cd4837c7726f70047c8fdafb52801dbfef2cb4f7bc4cfb2e0441980f9d4a3b8"
    static let otherHash = "sha256:923b805711041e23a99f07e146591c500261d1c289f62a9d39f8581ceb8a10ca"

    @Test func hashesContentWithSHA256() throws {
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        #expect(try fingerprinter.contentHash(of: file) == Self.firstHash)
        #expect(fingerprinter.rehashed == [file.path])
    }

    @Test func unchangedStatIsNotRehashed() throws {
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        let first = try fingerprinter.contentHash(of: file)
        try fingerprinter.save()

        // Nothing touched the file: the stat cache answers without reading it.
        var reloaded = FileFingerprinter(statCacheURL: statCache)
        #expect(try reloaded.contentHash(of: file) == first)
        #expect(reloaded.rehashed.isEmpty)
    }

    /// The repro of issue 10 part 8: other content of the same size, written over the file with its old
    /// modification time put back (`touch -r`). Only the change time (ctime) gives it away.
    @Test func replacedContentWithRestoredModificationTimeIsRehashed() throws {
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        let first = try fingerprinter.contentHash(of: file)
        try fingerprinter.save()

        try overwriteInPlace("other content", mtime: modificationTime())
        var reloaded = FileFingerprinter(statCacheURL: statCache)
        let second = try reloaded.contentHash(of: file)
        #expect(second != first)
        #expect(second == Self.otherHash)
        #expect(reloaded.rehashed == [file.path])
    }

    /// A stat cache written before ctime was kept still loads; its records match no file, so each is rehashed.
    @Test func recordWithoutChangeTimeIsRehashed() throws {
        var st = stat()
        #expect(stat(file.path, &st) == 0)
        let old = """
            {"\(file.path)": {"size": \(st.st_size), "mtimeSeconds": \(st.st_mtim.tv_sec), "mtimeNanoseconds": \(st.st_mtim.tv_nsec),
             "inode": \(st.st_ino), "device": \(st.st_dev), "sha256": "sha256:stale"}}
            """
        try FileManager.default.createDirectory(at: statCache.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(old.utf8).write(to: statCache)
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        #expect(try fingerprinter.contentHash(of: file) == Self.firstHash)
        #expect(fingerprinter.rehashed == [file.path])
    }

    /// A file hashed within a clock tick or two of its last change could change again without its stamp
    /// moving; its record is kept but not trusted until a later hash finds it settled.
    @Test func freshlyChangedFileIsNotTrustedByItsStamp() throws {
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        try Data("other content".utf8).write(to: file)
        #expect(try fingerprinter.contentHash(of: file) == Self.otherHash)
        #expect(try fingerprinter.contentHash(of: file) == Self.otherHash)
        #expect(fingerprinter.rehashed == [file.path, file.path])
        usleep(100_000)
        _ = try fingerprinter.contentHash(of: file)
        _ = try fingerprinter.contentHash(of: file)
        #expect(fingerprinter.rehashed.count == 3)
    }

    /// `--force`: every file is read and hashed, whatever the stat cache says.
    @Test func untrustedStatCacheHashesEveryFile() throws {
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        _ = try fingerprinter.contentHash(of: file)
        fingerprinter.trustStatCache = false
        #expect(try fingerprinter.contentHash(of: file) == Self.firstHash)
        #expect(fingerprinter.rehashed == [file.path, file.path])
    }

    /// A FIFO would block the reader until a writer came (forever, with the workflow's lock held); a directory
    /// is no content at all. Both are refused by what they are, without being opened.
    @Test func nonRegularFilesAreRefusedByKind() throws {
        let fifo = dir.path("fifo.gz")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        let fifoError = #expect(throws: FileError.self) { try fingerprinter.contentHash(of: fifo) }
        #expect(fifoError?.description == "\(fifo.path): is a FIFO (named pipe), not a regular file")
        let folder = dir.path("folder.gz")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let folderError = #expect(throws: FileError.self) { try fingerprinter.contentHash(of: folder) }
        #expect(folderError?.description == "\(folder.path): is a directory, not a regular file")
    }

    @Test func changedContentGetsANewHash() throws {
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        let first = try fingerprinter.contentHash(of: file)
        var later = modificationTime()
        later.tv_sec += 10
        try overwriteInPlace("other content", mtime: later)
        let second = try fingerprinter.contentHash(of: file)
        #expect(second != first)
        #expect(second == Self.otherHash)
        #expect(fingerprinter.rehashed == [file.path, file.path])
    }

    @Test func touchedButEqualContentKeepsItsHash() throws {
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        let first = try fingerprinter.contentHash(of: file)
        var later = modificationTime()
        later.tv_sec += 10
        try overwriteInPlace("first content", mtime: later)
        #expect(try fingerprinter.contentHash(of: file) == first)
        #expect(fingerprinter.rehashed.count == 2)
    }

    @Test func missingFileIsAnErrorNamingIt() {
        var fingerprinter = FileFingerprinter(statCacheURL: statCache)
        let error = #expect(throws: (any Error).self) { try fingerprinter.contentHash(of: dir.path("absent.gz")) }
        #expect("\(error!)".contains("absent.gz"))
    }
}
