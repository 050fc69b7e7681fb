import Foundation
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
}
