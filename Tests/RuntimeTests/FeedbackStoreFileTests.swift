import Foundation
import Imaging
import Runtime
import Tensor
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10 part 12: storing feedback fails with one line naming the file and the system's reason, and
/// reading the folder never opens anything but regular files.
struct FeedbackStoreFileTests {
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory()
    }

    func add(to store: FeedbackStore, name: String = "seven.png") throws -> FeedbackStore.AddResult {
        // A digit with ink on it (a blank one is refused before anything is written).
        let digit = (0..<784).map { $0 % 28 > 10 && $0 % 28 < 16 && $0 / 28 > 5 && $0 / 28 < 22 ? UInt8(255) : 0 }
        return try store.add(original: Data("not really a png".utf8), originalName: name, digit: digit,
                      trueLabel: 7, predictedLabel: 1, confidence: nil, modelSHA256: nil)
    }

    /// Entries and uploads are named by SHA-256 in lower-case hex (FIPS 180-2's "abc" and empty-input vectors).
    @Test func contentHashIsLowerCaseHexSHA256() {
        #expect(FeedbackStore.contentHash(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FeedbackStore.contentHash(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func folderThatCannotBeMadeNamesItAndTheReason() throws {
        let file = dir.path("a-file")
        try Data("x".utf8).write(to: file)
        let store = FeedbackStore(folder: file.appendingPathComponent("incorrect_predictions"))
        let error = #expect(throws: FileError.self) { try add(to: store) }
        #expect(error?.description == "\(file.path)/incorrect_predictions: cannot create this folder: Not a directory")

        let under = FeedbackStore(folder: file)
        let again = #expect(throws: FileError.self) { try add(to: under) }
        #expect(again?.description == "\(file.path): cannot create this folder: a file is in its place")
    }

    @Test func fileThatCannotBeWrittenNamesItAndTheSystemReason() throws {
        let store = FeedbackStore(folder: dir.path("incorrect_predictions"))
        // "original.<extension>" longer than a file name may be: the system says so (ENAMETOOLONG).
        let error = #expect(throws: FileError.self) { try add(to: store, name: "x." + String(repeating: "p", count: 250)) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("/original.ppp"))
        #expect(text.hasSuffix(": cannot store it: File name too long"))
        #expect(!text.contains("\n") && !text.contains("NSCocoaErrorDomain") && !text.contains(".staging-"))
        // Nothing half-stored is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.folder.path).isEmpty)
    }

    @Test func readingSkipsAFIFOWithoutOpeningIt() throws {
        let store = FeedbackStore(folder: dir.path("incorrect_predictions"))
        #expect(try add(to: store) != .alreadyStored(store.folder))
        #expect(mkfifo(store.folder.appendingPathComponent("pipe_true3.png").path, 0o644) == 0)
        let (items, skipped) = store.readAll { _ in [UInt8](repeating: 0, count: 784) }
        #expect(items.count == 1)
        #expect(skipped.count == 1)
        #expect(skipped.first?.0 == "pipe_true3.png")
        #expect(skipped.first?.1.hasSuffix("cannot read: is a FIFO (named pipe), not a regular file") == true)
    }

    @Test func looseJPEGsInTheFolderAreReadForRetraining() throws {
        let store = FeedbackStore(folder: dir.path("incorrect_predictions"))
        try FileManager.default.createDirectory(at: store.folder, withIntermediateDirectories: true)
        // A dark 7-ish bar on light paper, as a phone would send it (a JPEG named with its label).
        var pixels = [UInt8](repeating: 230, count: 64 * 64)
        for y in 10..<54 { for x in 28..<36 { pixels[y * 64 + x] = 20 } }
        for x in 14..<50 { for y in 10..<16 { pixels[y * 64 + x] = 20 } }
        try JPEG.encode(gray: pixels, width: 64, height: 64, quality: 80)
            .write(to: store.folder.appendingPathComponent("phone_true7.jpg"))
        try Data("not an image".utf8).write(to: store.folder.appendingPathComponent("notes_true1.jpg"))
        let (items, skipped) = store.readAll { DigitPreprocessor.mnistStyle($0) }
        #expect(items.map(\.source) == ["phone_true7.jpg"])
        #expect(items.first?.trueLabel == 7)
        #expect(items.first?.digit.max() == 255)
        #expect(skipped.map(\.0) == ["notes_true1.jpg"])
        #expect(skipped.first?.1.contains("not a PNG or JPEG image") == true)
    }
}
