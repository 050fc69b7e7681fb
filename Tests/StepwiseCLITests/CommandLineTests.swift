import Foundation
import Testing

@Suite("stepwise without data")
struct CommandLineTests {
    @Test func helpListsTheCommands() throws {
        let result = try CLI.run(["--help"], in: CLI.repositoryRoot)
        #expect(result.status == 0)
        for command in ["run", "plan", "predict", "feedback", "data", "cache"] {
            #expect(result.stdout.contains("\n  \(command) "), "--help does not list \(command)")
        }
    }

    @Test func missingDataExitsFourNamingIt() throws {
        let project = try ScratchProject()
        let result = try project.stepwise(["run", "train"], environment: ["STEPWISE_DATA": "/nonexistent"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("/nonexistent/train-images-idx3-ubyte.gz"))
        #expect(result.stderr.contains("stepwise data fetch"))
        // Nothing ran, but the attempt is recorded, and a log (stderr is a pipe here) ends with the exit code.
        let runs = project.url("Outputs/train/runs")
        let folders = try project.runFolders()
        #expect(folders.count == 1)
        let data = try Data(contentsOf: runs.appendingPathComponent(folders[0]).appendingPathComponent("run.json"))
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(record["status"] as? String == "failed" && (record["steps"] as? [Any])?.isEmpty == true)
        #expect(result.stderr.hasSuffix("] exit 4: data missing or corrupt\n"), "\(result.stderr)")
    }

    /// STEPWISE_KERNELS forces a kernel path; run.json names it with the CPU; a name the CPU cannot run is refused.
    @Test func kernelPathIsForcedRecordedOrRefused() throws {
        let project = try ScratchProject()
        let forced = try project.stepwise(["run", "train"], environment: ["STEPWISE_DATA": "/nonexistent",
                                                                         "STEPWISE_KERNELS": "portable"])
        #expect(forced.status == 4)
        let folders = try project.runFolders()
        let data = try Data(contentsOf: project.url("Outputs/train/runs/\(try #require(folders.first))/run.json"))
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let version = try #require(record["runnerVersion"] as? String)
        #expect(version.contains("(engine ") && version.contains(", portable kernels, OpenBLAS "), "\(version)")
        #expect((record["cpu"] as? String)?.isEmpty == false)

        let unknown = try project.stepwise(["plan", "train"], environment: ["STEPWISE_KERNELS": "sse9"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("STEPWISE_KERNELS=sse9 is not a kernel path; use avx512, avx2, portable"),
                "\(unknown.stderr)")
    }

    @Test func misspeltKeyExitsTwoWithFileAndLine() throws {
        let project = try ScratchProject()
        try project.append("    epoch 3\n", to: "Workflows/train/04-train.step")
        let result = try project.stepwise(["run", "train"], environment: ["STEPWISE_DATA": "/nonexistent"])
        #expect(result.status == 2)
        let lines = try project.read("Workflows/train/04-train.step").split(separator: "\n", omittingEmptySubsequences: false)
        let line = lines.firstIndex { $0 == "    epoch 3" }! + 1
        #expect(result.stderr.contains("--> Workflows/train/04-train.step:\(line):5"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean 'epochs'?"))
    }

    @Test func unknownWorkflowAndBadOverrideAreUsageErrors() throws {
        let project = try ScratchProject()
        let missing = try project.stepwise(["plan", "trian"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no workflow 'trian'"))
        let bad = try project.stepwise(["plan", "train", "--set", "train.epochs=abc"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--set train.epochs=abc"))
    }
}
