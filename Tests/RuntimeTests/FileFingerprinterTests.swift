import Foundation
import Runtime
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

        // Same size, same mtime, same inode: the stat cache answers, so the new bytes are not even read.
        try overwriteInPlace("FIRST CONTENT", mtime: modificationTime())
        var reloaded = FileFingerprinter(statCacheURL: statCache)
        #expect(try reloaded.contentHash(of: file) == first)
        #expect(reloaded.rehashed.isEmpty)
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
