import Foundation
import Imaging
import StepwiseTestSupport
import Tensor
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A project with a one-step workflow (`mini`: load) and a tiny synthetic MNIST in `data/` (raw IDX), so these
/// tests need no real MNIST.
final class MiniProject {
    let project: ScratchProject
    var data: URL { project.url("data") }

    init() throws {
        project = try ScratchProject()
        let fm = FileManager.default
        try fm.createDirectory(at: project.url("Workflows/mini"), withIntermediateDirectories: true)
        try Data("load -> mnist_train, mnist_test\n    dataset mnist\n    limit 50\n    test_limit 20\n".utf8)
            .write(to: project.url("Workflows/mini/01-load.step"))
        try fm.createDirectory(at: data, withIntermediateDirectories: true)
        for (prefix, count) in [("train", 60), ("t10k", 20)] {
            try Data(Self.images(count)).write(to: data.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(Self.labels(count)).write(to: data.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
        // Files changed within a clock tick of being hashed are never trusted by their stamp; let these age, so
        // the tests see the stat memo's fast path at work.
        usleep(100_000)
    }

    static func images(_ count: Int) -> [UInt8] {
        IDXFixture.imagesFile(IDXFixture.pixels(count: count), count: count)
    }

    static func labels(_ count: Int, shift: Int = 0) -> [UInt8] {
        IDXFixture.labelsFile(IDXFixture.labels(count: count, shift: shift))
    }

    func stepwise(_ arguments: [String]) throws -> CLIResult {
        try project.stepwise(arguments + ["--data", data.path])
    }

    /// Writes `bytes` over a data file in place and puts its old modification time back, like `cp` then
    /// `touch -r original`.
    func replaceKeepingModificationTime(_ name: String, with bytes: [UInt8]) throws {
        let url = data.appendingPathComponent(name)
        var st = stat()
        #expect(stat(url.path, &st) == 0)
        let handle = try FileHandle(forWritingTo: url)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
        var times = [st.st_atim, st.st_mtim]
        #expect(utimensat(AT_FDCWD, url.path, &times, 0) == 0)
    }

    var statCache: URL { project.url("Outputs/.cache/stat-cache.json") }

    /// Makes the stat memo lie: the record of `name` keeps its stamp but claims another content hash.
    func falsifyStatMemo(_ name: String, sha256: String) throws {
        var records = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: statCache)) as? [String: [String: Any]])
        let path = data.appendingPathComponent(name).standardizedFileURL.path
        var record = try #require(records[path])
        #expect(record["settled"] as? Bool == true)
        record["sha256"] = sha256
        records[path] = record
        try JSONSerialization.data(withJSONObject: records).write(to: statCache)
    }

    /// The only cache entry file.
    func entry() throws -> URL {
        let objects = project.url("Outputs/.cache/objects")
        let files = FileManager.default.enumerator(atPath: objects.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".safetensors") }
        #expect(files.count == 1)
        return objects.appendingPathComponent(try #require(files.first))
    }
}

/// Runs the binary, killing it if it has not finished within `seconds` (a hang is a failure, not a stuck suite).
func runWithDeadline(_ arguments: [String], in directory: URL, seconds: Double = 20) throws -> (result: CLIResult, timedOut: Bool) {
    let process = CLI.process(arguments, in: directory)
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-out-\(UUID().uuidString)")
    let err = out.appendingPathExtension("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    let timedOut = process.isRunning
    if timedOut {
        process.terminate()
    }
    process.waitUntilExit()
    let result = CLIResult(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                           stderr: try String(contentsOf: err, encoding: .utf8))
    return (result, timedOut)
}

@Suite("data and cache integrity (synthetic data)")
struct DataIntegrityTests {
    /// Issue 10 part 8: other labels copied over a data file, its modification time put back with `touch -r`.
    @Test func replacedDataFileWithItsOldModificationTimeIsNoticed() throws {
        let mini = try MiniProject()
        #expect(try mini.stepwise(["run", "mini"]).status == 0)
        #expect(try mini.stepwise(["plan", "mini"]).stdout.hasPrefix("load: cached (run "))
        try mini.replaceKeepingModificationTime("train-labels-idx1-ubyte", with: MiniProject.labels(60, shift: 3))
        let plan = try mini.stepwise(["plan", "mini"])
        #expect(plan.stdout == "load: runs: file mnist train labels changed\n", "\(plan.stdout)\(plan.stderr)")
    }

    /// `--force` keys what it computes by the content it read, never by a remembered hash: with a stat memo
    /// that lies about a file, the forced run's entry is still found once the memo is gone.
    @Test func forcedRunIsKeyedByTheContentItRead() throws {
        let mini = try MiniProject()
        #expect(try mini.stepwise(["plan", "mini"]).status == 0)  // writes the stat memo
        try mini.falsifyStatMemo("train-labels-idx1-ubyte", sha256: "sha256:" + String(repeating: "0", count: 64))
        let forced = try mini.stepwise(["run", "mini", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        try FileManager.default.removeItem(at: mini.statCache)
        let plan = try mini.stepwise(["plan", "mini"])
        #expect(plan.stdout.hasPrefix("load: cached (run "), "\(plan.stdout)\(plan.stderr)")
    }

    /// A load step checks that the bytes it decodes are those its key was made from; when they are not (here a
    /// stat memo that lies, as a file replaced between fingerprinting and reading would look), it fails with a
    /// clear error and stores nothing.
    @Test func loadRefusesContentOtherThanItsKeyNames() throws {
        let mini = try MiniProject()
        #expect(try mini.stepwise(["plan", "mini"]).status == 0)
        try mini.falsifyStatMemo("train-labels-idx1-ubyte", sha256: "sha256:" + String(repeating: "0", count: 64))
        let run = try mini.stepwise(["run", "mini"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("train-labels-idx1-ubyte: the file changed after it was fingerprinted"), "\(run.stderr)")
        let stored = (try? FileManager.default.subpathsOfDirectory(atPath: mini.project.url("Outputs/.cache/objects").path)) ?? []
        #expect(stored.allSatisfy { !$0.hasSuffix(".safetensors") }, "\(stored)")
    }

    /// Issue 10 parts 9 and 12: one character of an entry's metadata flipped (header length unchanged).
    /// `plan` reports it once (no "warning: warning:") and leaves the file; `run` discards and recomputes it.
    @Test func flippedMetadataIsCaughtPlanKeepsTheEntryRunDiscardsIt() throws {
        let mini = try MiniProject()
        #expect(try mini.stepwise(["run", "mini"]).status == 0)
        let entry = try mini.entry()
        var bytes = try Data(contentsOf: entry)
        let field = try #require(bytes.range(of: Data(#""stepwise.cache.run":"20"#.utf8)))
        bytes[field.upperBound - 1] = UInt8(ascii: "1")  // the run's year 20xx becomes 21xx
        try bytes.write(to: entry)

        let plan = try mini.stepwise(["plan", "mini"])
        #expect(plan.status == 0)
        #expect(plan.stdout == "load: runs: cache entry missing\n", "\(plan.stdout)")
        #expect(plan.stderr.contains("warning: cache entry "), "\(plan.stderr)")
        #expect(plan.stderr.contains("its header (metadata, tensor names, dtypes or shapes) has checksum"), "\(plan.stderr)")
        #expect(!plan.stderr.contains("warning: warning:"))
        #expect(plan.stderr.components(separatedBy: "warning:").count == 2)
        #expect(FileManager.default.fileExists(atPath: entry.path), "plan must not delete the entry")
        #expect(try Data(contentsOf: entry) == bytes)

        let run = try mini.stepwise(["run", "mini"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("warning: warning:"))
        #expect(run.stderr.contains("is corrupt (its header"), "\(run.stderr)")
        #expect(run.stderr.contains("load: running"))
        #expect(try Data(contentsOf: entry) != bytes)
    }

    /// Issue 10 part 12: a FIFO in place of a data file hung forever holding the lock.
    @Test func fifoInPlaceOfADataFileExitsFourAtOnce() throws {
        let mini = try MiniProject()
        let labels = mini.data.appendingPathComponent("t10k-labels-idx1-ubyte")
        try FileManager.default.removeItem(at: labels)
        #expect(mkfifo(labels.path, 0o644) == 0)
        for command in ["run", "plan"] {
            let (result, timedOut) = try runWithDeadline([command, "mini", "--data", mini.data.path], in: mini.project.root)
            #expect(!timedOut, "\(command) hung on a FIFO")
            #expect(result.status == 4, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("\(labels.path): is a FIFO (named pipe), not a regular file"), "\(result.stderr)")
        }
        // Nothing ran: the one run recorded is the refused one, with no steps.
        let runs = try mini.project.runFolders("mini")
        #expect(runs.count == 1, "\(runs)")
        let data = try Data(contentsOf: mini.project.url("Outputs/mini/runs/\(runs[0])/run.json"))
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(record["status"] as? String == "failed", "\(record)")
        #expect((record["steps"] as? [Any])?.isEmpty == true, "\(record)")
    }

    /// A directory in place of a data file says so instead of "missing".
    @Test func directoryInPlaceOfADataFileSaysSo() throws {
        let mini = try MiniProject()
        let images = mini.data.appendingPathComponent("train-images-idx3-ubyte")
        try FileManager.default.removeItem(at: images)
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: false)
        let run = try mini.stepwise(["run", "mini"])
        #expect(run.status == 4)
        #expect(run.stderr.contains("error: \(images.path): is a directory, not a regular file"), "\(run.stderr)")
        let errorLine = run.stderr.split(separator: "\n").first { $0.contains("error: ") } ?? ""
        #expect(!errorLine.contains("missing"), "\(run.stderr)")
    }

    /// A 5 MB step file printed its line three times; now once, cut to the terminal-friendly window.
    @Test func hugeStepFileLineIsPrintedOnceAndShort() throws {
        let mini = try MiniProject()
        try Data(("load -> mnist_train, mnist_test\n    limit 50" + String(repeating: "x", count: 5_000_000) + "\n").utf8)
            .write(to: mini.project.url("Workflows/mini/01-load.step"))
        let plan = try mini.stepwise(["plan", "mini"])
        #expect(plan.status == 2)
        #expect(plan.stderr.utf8.count < 1_000, "\(plan.stderr.utf8.count) bytes of error")
        #expect(plan.stderr.contains("(5000002 characters)"))
        #expect(plan.stderr.contains("--> Workflows/mini/01-load.step:2:11"))
    }
}

@Suite("images that are not regular files (no data needed)")
struct ImageFileKindTests {
    /// The smallest model predict accepts: flatten, then one dense layer to 10 classes.
    static func writeTinyModel(to url: URL) throws {
        var file = SafeTensors()
        file.set("layers.1.weight", Tensor(shape: [10, 784], scalars: (0..<7840).map { Float($0 % 7) * 0.001 }))
        file.set("layers.1.bias", Tensor(shape: [10], scalars: [Float](repeating: 0, count: 10)))
        file.metadata["stepwise.layers"] = #"[{"type":"flatten"},{"type":"dense","in_features":784,"out_features":10}]"#
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.write(to: url)
    }

    @Test func directoryAsAnImageSaysIsADirectory() throws {
        let project = try ScratchProject()
        try Self.writeTinyModel(to: project.url("Outputs/models/cnn.safetensors"))
        try FileManager.default.createDirectory(at: project.url("digits"), withIntermediateDirectories: true)
        let predict = try project.stepwise(["predict", "digits"])
        #expect(predict.status == 1)
        #expect(predict.stderr.hasSuffix("error: \(project.url("digits").path): cannot read: is a directory, not a regular file\n"),
                "\(predict.stderr)")
        let feedback = try project.stepwise(["feedback", "digits", "--label", "3", "--predicted", "5"])
        #expect(feedback.status == 2)
        #expect(feedback.stderr.contains("is a directory, not a regular file"), "\(feedback.stderr)")
        #expect(!feedback.stderr.contains("NSCocoaErrorDomain"))
    }

    @Test func fifoAsAnImageDoesNotBlock() throws {
        let project = try ScratchProject()
        try Self.writeTinyModel(to: project.url("Outputs/models/cnn.safetensors"))
        #expect(mkfifo(project.url("pipe.png").path, 0o644) == 0)
        let (result, timedOut) = try runWithDeadline(["predict", "pipe.png"], in: project.root)
        #expect(!timedOut)
        #expect(result.status == 1)
        #expect(result.stderr.contains("pipe.png: cannot read: is a FIFO (named pipe), not a regular file"), "\(result.stderr)")
    }

    /// Storing feedback where it cannot be stored: one line naming the place and the system's reason.
    @Test func feedbackThatCannotBeStoredSaysWhereAndWhy() throws {
        let project = try ScratchProject()
        try Data("in the way".utf8).write(to: project.url("blocker"))
        let image = project.url("digit.png")
        try Self.writeDigit(to: image)
        let result = try project.stepwise(["feedback", "digit.png", "--label", "3", "--predicted", "5",
                                           "--folder", project.url("blocker/feedback").path])
        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("error: \(project.url("blocker/feedback").path): cannot create this folder: Not a directory\n"),
                "\(result.stderr)")
    }

    /// A 28x28 white stroke on black, as a PNG.
    static func writeDigit(to url: URL) throws {
        var pixels = [UInt8](repeating: 0, count: 784)
        for row in 6..<22 { pixels[row * 28 + 14] = 255; pixels[row * 28 + 15] = 255 }
        try PNG.write(GrayImage(width: 28, height: 28, pixels: pixels), to: url)
    }
}
