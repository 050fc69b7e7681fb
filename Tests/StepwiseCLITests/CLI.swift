import Foundation
import StepwiseTestSupport
import Testing

/// Runs the built `stepwise` binary, as a user would, and captures what it prints.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The folder the build put the test bundle and the `stepwise` executable in.
    static var productsDirectory: URL {
        var url = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("stepwise").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }

    static var binary: URL { productsDirectory.appendingPathComponent("stepwise") }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func process(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        return process
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> CLIResult {
        let process = process(arguments, in: directory, environment: environment)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a chatty child never blocks on a full pipe.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A throwaway project folder holding copies of the shipped workflows, and a small synthetic MNIST (learnable
/// digits, 700 training and 300 test images) that its commands read unless told otherwise: no test here needs
/// the real MNIST.
final class ScratchProject {
    let root: URL
    let data: SyntheticMNIST

    init() throws {
        data = try SyntheticMNIST(train: 700, test: 300, learnable: true)
        root = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLI.repositoryRoot.appendingPathComponent("Workflows"),
                                         to: root.appendingPathComponent("Workflows"))
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    func read(_ path: String) throws -> String { try String(contentsOf: url(path), encoding: .utf8) }

    /// The run folders under Outputs/<workflow>/runs/, sorted (index.jsonl and retention are files there, not runs).
    func runFolders(_ workflow: String = "train") throws -> [String] {
        let runs = url("Outputs/\(workflow)/runs")
        return try FileManager.default.contentsOfDirectory(atPath: runs.path).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: runs.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: url(path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    @discardableResult
    func stepwise(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
        var env = environment
        if env["STEPWISE_DATA"] == nil { env["STEPWISE_DATA"] = data.directory.path }
        return try CLI.run(arguments, in: root, environment: env)
    }
}

/// Overrides that make the training workflow a few seconds long on the project's synthetic data.
let smallTrainRun = ["--set", "load.limit=700", "--set", "load.test_limit=300", "--set", "preprocess.validation=100",
                     "--set", "train.epochs=1"]
