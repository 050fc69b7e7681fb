import Foundation
import StepwiseTestSupport
import Testing
@testable import Datasets

#if canImport(Glibc)
import Glibc
#endif

@Suite("MNIST IDX reader")
struct MNISTLoaderTests {
    /// Loads the test split from a fixture and expects a `DataError`; returns it for the message checks.
    private func loadError(_ fixture: IDXFixture, limit: Int? = nil) -> DataError? {
        do {
            _ = try MNIST.load(directory: fixture.directory, split: .test, limit: limit)
            return nil
        } catch {
            return error
        }
    }

    @Test("raw and gzip files load the same images and labels", arguments: [false, true])
    func roundTrip(gzip: Bool) throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(count: 25, gzip: gzip)
        let set = try MNIST.load(directory: fixture.directory, split: .test)
        #expect(set.count == 25)
        #expect(set.height == 28 && set.width == 28)
        #expect(set.pixels == IDXFixture.pixels(count: 25))
        #expect(set.labels == IDXFixture.labels(count: 25))
    }

    @Test("every accepted file-name spelling is found", arguments: [
        ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", false),
        ("t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte", false),
        ("t10k-images.idx3-ubyte.gz", "t10k-labels.idx1-ubyte.gz", true),
        ("t10k-images-idx3-ubyte.gz", "t10k-labels.idx1-ubyte", false),
    ])
    func spellings(images: String, labels: String, gzipLabels: Bool) throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let imageBytes = IDXFixture.imagesFile(IDXFixture.pixels(count: 3), count: 3)
        try fixture.write(images.hasSuffix(".gz") ? IDXFixture.gzip(imageBytes) : imageBytes, images)
        let labelBytes = IDXFixture.labelsFile(IDXFixture.labels(count: 3))
        try fixture.write(gzipLabels ? IDXFixture.gzip(labelBytes) : labelBytes, labels)
        let set = try MNIST.load(directory: fixture.directory, split: .test)
        #expect(set.labels == [0, 1, 2])
        let files = MNIST.files(in: fixture.directory).map(\.lastPathComponent)
        #expect(files == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", images, labels])
    }

    @Test("limit keeps the first images; a larger limit keeps all; a negative one is refused")
    func limits() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(count: 12, gzip: true)
        let five = try MNIST.load(directory: fixture.directory, split: .test, limit: 5)
        #expect(five.count == 5)
        #expect(five.pixels == Array(IDXFixture.pixels(count: 12).prefix(5 * 784)))
        #expect(five.labels == [0, 1, 2, 3, 4])
        #expect(try MNIST.load(directory: fixture.directory, split: .test, limit: 1000).count == 12)
        #expect(try MNIST.load(directory: fixture.directory, split: .test, limit: 0).count == 0)
        #expect(loadError(fixture, limit: -1)?.kind == .invalidRequest)
    }

    @Test("a missing folder or file is a .missing error that says how to get the data")
    func missing() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let nowhere = fixture.directory.appendingPathComponent("absent")
        #expect(throws: DataError.self) { try MNIST.load(directory: nowhere, split: .train) }
        do {
            _ = try MNIST.load(directory: nowhere, split: .train)
        } catch {
            #expect(error.kind == .missing)
            #expect(error.description.contains(nowhere.path))
            #expect(error.description.contains("stepwise data fetch"))
            #expect(error.description.contains("STEPWISE_DATA"))
        }
        try fixture.write(IDXFixture.imagesFile(IDXFixture.pixels(count: 1), count: 1), "t10k-images-idx3-ubyte")
        let error = try #require(loadError(fixture))
        #expect(error.kind == .missing)
        #expect(error.description.contains("test labels file is missing"))
        #expect(error.description.contains("t10k-labels.idx1-ubyte.gz"))
    }

    /// Writes the given image and label file bytes (raw) and returns the loader's error.
    private func corruptError(images: [UInt8], labels: [UInt8]) throws -> DataError {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.write(images, "t10k-images-idx3-ubyte")
        try fixture.write(labels, "t10k-labels-idx1-ubyte")
        let error = try #require(loadError(fixture))
        #expect(error.kind == .corrupt)
        #expect(error.description.contains(fixture.directory.path))
        return error
    }

    @Test("swapped image and label files are reported as swapped")
    func swapped() throws {
        let error = try corruptError(images: IDXFixture.labelsFile([1, 2]),
                                     labels: IDXFixture.imagesFile(IDXFixture.pixels(count: 2), count: 2))
        #expect(error.detail == "magic number is 2049 (a label file) where an image file (2051) was expected; are the file names swapped?")
        #expect(error.file.hasSuffix("t10k-images-idx3-ubyte"))
    }

    @Test("byte-swapped and foreign magic numbers are named")
    func magic() throws {
        let swapped = try corruptError(images: [0, 0, 8, 3].reversed() + [UInt8](repeating: 0, count: 12),
                                       labels: IDXFixture.labelsFile([1]))
        #expect(swapped.detail == "magic number 0x03080000 is byte-swapped (little-endian); expected 2051 (IDX images) big-endian")
        let png = try corruptError(images: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
                                   labels: IDXFixture.labelsFile([1]))
        #expect(png.detail == "magic number is 2303741511 (0x89504e47), expected 2051 (IDX images); this is not an MNIST IDX file")
    }

    @Test("wrong image size, label out of range, and count mismatch are reported with their values")
    func contentChecks() throws {
        let big = try corruptError(images: IDXFixture.imagesFile(IDXFixture.pixels(count: 2, side: 32), count: 2,
                                                                 rows: 32, columns: 32),
                                   labels: IDXFixture.labelsFile([1, 2]))
        #expect(big.detail == "images are 32x32, MNIST's are 28x28")

        let label = try corruptError(images: IDXFixture.imagesFile(IDXFixture.pixels(count: 4), count: 4),
                                     labels: IDXFixture.labelsFile([1, 9, 0, 12]))
        #expect(label.detail == "label 3 is 12, outside 0...9")
        #expect(label.file.hasSuffix("t10k-labels-idx1-ubyte"))

        let mismatch = try corruptError(images: IDXFixture.imagesFile(IDXFixture.pixels(count: 3), count: 3),
                                        labels: IDXFixture.labelsFile([1, 2]))
        #expect(mismatch.detail == "holds 2 labels but t10k-images-idx3-ubyte holds 3 images")
    }

    @Test("raw files shorter or longer than their header are refused")
    func rawLengths() throws {
        let full = IDXFixture.imagesFile(IDXFixture.pixels(count: 3), count: 3)
        let labels = IDXFixture.labelsFile([1, 2, 3])
        let short = try corruptError(images: Array(full.dropLast(100)), labels: labels)
        #expect(short.detail == "the header says 3x28x28 = 2352 bytes after the 16-byte header, but the file has 2252")
        let long = try corruptError(images: full + [0], labels: labels)
        #expect(long.detail == "the header says 3x28x28 = 2352 bytes after the 16-byte header, but the file has 2353")
        let header = try corruptError(images: Array(full.prefix(10)), labels: labels)
        #expect(header.detail == "the file ends inside its IDX header (10 of 16 bytes)")
        let tiny = try corruptError(images: [0, 0], labels: labels)
        #expect(tiny.detail == "the file is 2 bytes long, too short for an IDX header")
        let empty = try corruptError(images: [], labels: labels)
        #expect(empty.detail == "the file is empty")
    }

    @Test("gzip files whose content disagrees with the header are refused")
    func gzipLengths() throws {
        let full = IDXFixture.imagesFile(IDXFixture.pixels(count: 3), count: 3)
        let labels = IDXFixture.labelsFile([1, 2, 3])
        let short = try corruptError(images: IDXFixture.gzip(Array(full.dropLast(1))), labels: labels)
        #expect(short.detail == "the inflated file is truncated: it ends after 2351 data bytes, the header (3x28x28) says 2352")
        let long = try corruptError(images: IDXFixture.gzip(full + [7, 7]), labels: labels)
        #expect(long.detail == "the inflated file is longer than its header says: 2354 data bytes, the header (3x28x28) says 2352")
        // With a limit the tail is still read, so a short file is still caught.
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.write(IDXFixture.gzip(Array(full.dropLast(1))), "t10k-images-idx3-ubyte.gz")
        try fixture.write(labels, "t10k-labels-idx1-ubyte")
        #expect(loadError(fixture, limit: 1)?.kind == .corrupt)
    }

    @Test("a gzip stream cut short is truncated, at every cut point")
    func gzipTruncated() throws {
        let compressed = IDXFixture.gzip(IDXFixture.imagesFile(IDXFixture.pixels(count: 20), count: 20))
        for cut in stride(from: 2, to: compressed.count, by: max(1, compressed.count / 60)) {
            let error = try corruptError(images: Array(compressed.prefix(cut)), labels: IDXFixture.labelsFile(IDXFixture.labels(count: 20)))
            #expect(error.detail.contains("truncated") || error.detail.contains("ends inside its IDX header")
                    || error.detail.contains("too short"), "cut at \(cut): \(error.detail)")
        }
    }

    @Test("flipped bytes in gzip data, trailing junk, and an absurd claimed size are corrupt")
    func gzipDamage() throws {
        let labels = IDXFixture.labelsFile(IDXFixture.labels(count: 20))
        let compressed = IDXFixture.gzip(IDXFixture.imagesFile(IDXFixture.pixels(count: 20), count: 20))
        var flipped = compressed
        flipped[compressed.count / 2] ^= 0xFF
        let damaged = try corruptError(images: flipped, labels: labels)
        #expect(damaged.detail.hasPrefix("bad gzip data") || damaged.detail.contains("truncated")
                || damaged.detail.contains("header"), "\(damaged.detail)")
        var badCRC = compressed
        badCRC[compressed.count - 6] ^= 0x01  // inside the CRC-32 trailer
        let crc = try corruptError(images: badCRC, labels: labels)
        #expect(crc.detail.hasPrefix("bad gzip data"), "\(crc.detail)")
        #expect(crc.detail.contains("incorrect data check"), "\(crc.detail)")

        let junk = try corruptError(images: compressed + [1, 2, 3], labels: labels)
        #expect(junk.detail == "3 bytes of unexpected data after the end of the gzip stream")

        let claim = IDXFixture.gzip(IDXFixture.imagesFile([], count: 4_000_000))
        let huge = try corruptError(images: claim, labels: labels)
        #expect(huge.detail == "the header claims 4000000x28x28 bytes, more than a \(claim.count)-byte gzip file can hold")
    }

    @Test("concatenated gzip members read as one file")
    func gzipMembers() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let images = IDXFixture.imagesFile(IDXFixture.pixels(count: 4), count: 4)
        try fixture.write(IDXFixture.gzip(Array(images.prefix(1000))) + IDXFixture.gzip(Array(images.dropFirst(1000))),
                          "t10k-images-idx3-ubyte.gz")
        try fixture.write(IDXFixture.labelsFile([3, 1, 4, 1]), "t10k-labels-idx1-ubyte")
        let set = try MNIST.load(directory: fixture.directory, split: .test)
        #expect(set.pixels == IDXFixture.pixels(count: 4))
        #expect(set.labels == [3, 1, 4, 1])
    }

    @Test("files(in:) names the files load would read, canonical .gz names for missing ones")
    func filesForFingerprints() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(prefix: "train", count: 1, gzip: false)
        #expect(MNIST.files(in: fixture.directory).map(\.lastPathComponent) == [
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
        ])
    }
}

@Suite("MNIST folder checks")
struct MNISTFolderTests {
    @Test("a file given as the data folder is refused with a clear message")
    func fileAsFolder() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let file = try fixture.write([1, 2, 3], "not-a-folder")
        do {
            _ = try MNIST.load(directory: file, split: .train)
            Issue.record("a plain file was accepted as the data folder")
        } catch {
            #expect(error.kind == .missing)
            #expect(error.detail == "is a file, not a folder holding the MNIST files")
            #expect(error.file == file.path)
        }
    }
}

/// Issue 10 part 12 and part 8: what stands in a data file's place must be a regular file, and its content
/// must be what the caller was promised.
@Suite("MNIST non-regular and changed files")
struct MNISTFileKindTests {
    private func loadError(_ fixture: IDXFixture, expectedContent: [String: String] = [:]) -> DataError? {
        do {
            _ = try MNIST.load(directory: fixture.directory, split: .test, expectedContent: expectedContent)
            return nil
        } catch {
            return error
        }
    }

    /// A test split whose file `name` is replaced by what `make` puts at its path; the load error it gives.
    private func errorWith(_ name: String, replacedBy make: (URL) throws -> Void) throws -> DataError {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(count: 3, gzip: false)
        let url = fixture.directory.appendingPathComponent(name)
        try FileManager.default.removeItem(at: url)
        try make(url)
        // The reader itself refuses it too, without blocking for a writer.
        #expect(throws: DataError.self) { try IDXReader.read(url, magic: IDXReader.imagesMagic, limit: nil) }
        let error = try #require(loadError(fixture))
        #expect(error.kind == .unreadable)
        #expect(error.file == url.path)
        return error
    }

    @Test("a directory in place of a data file says so, not 'missing'")
    func directoryInPlace() throws {
        let error = try errorWith("t10k-labels-idx1-ubyte") {
            try FileManager.default.createDirectory(at: $0, withIntermediateDirectories: false)
        }
        #expect(error.detail == "is a directory, not a regular file; the test labels file must be a regular file")
    }

    @Test("a FIFO in place of a data file is refused at once, never opened")
    func fifoInPlace() throws {
        let error = try errorWith("t10k-images-idx3-ubyte") { #expect(mkfifo($0.path, 0o644) == 0) }
        #expect(error.detail == "is a FIFO (named pipe), not a regular file; the test images file must be a regular file")
    }

    @Test("a regular file is preferred over a directory under another accepted name")
    func regularFilePreferred() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(count: 3, gzip: false)
        try FileManager.default.createDirectory(at: fixture.directory.appendingPathComponent("t10k-labels-idx1-ubyte.gz"),
                                                withIntermediateDirectories: false)
        #expect(try MNIST.load(directory: fixture.directory, split: .test).count == 3)
    }

    @Test("bytes that do not hash to the keyed content are refused, not decoded")
    func changedContent() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(count: 3, gzip: false)
        let labels = fixture.directory.appendingPathComponent("t10k-labels-idx1-ubyte")
        // `sha256sum` of the 11-byte file: magic 2049, count 3, labels 0 1 2.
        let right = "sha256:b42326e57648289720e40f7c6f074d678a6bb041e7d1157a777e375b9269c0f5"
        #expect(try MNIST.load(directory: fixture.directory, split: .test, expectedContent: [labels.path: right]).count == 3)

        let stale = "sha256:" + String(repeating: "0", count: 64)
        let error = try #require(loadError(fixture, expectedContent: [labels.path: stale]))
        #expect(error.kind == .changed)
        #expect(error.file == labels.path)
        #expect(error.detail.contains("the file changed after it was fingerprinted"))
        #expect(error.detail.contains(right) && error.detail.contains(stale))
    }
}
