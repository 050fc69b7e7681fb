import Foundation
import NeuralNet
import Testing
@testable import Runtime
@testable import StepDSL

/// Problems with the folder and the files in it, on a real temporary folder.
@Suite struct WorkflowFolderTests {
    private func withFolder(_ files: [String: Data], _ body: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("stepdsl-\(UUID().uuidString)").appendingPathComponent("wf")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }
        try body(folder)
    }

    private func rendered(_ folder: URL, overrides: [String] = []) -> String {
        do {
            _ = try WorkflowLoader.load(directory: folder, displayPath: "Workflows/wf", kinds: Fixtures.kinds, overrides: overrides,
                                        layers: LayerRegistry.language)
            return ""
        } catch {
            return error.rendered()
        }
    }

    private static func text(_ files: [(String, String)]) -> [String: Data] {
        Dictionary(uniqueKeysWithValues: files.map { ($0.0, Data($0.1.utf8)) })
    }

    @Test func missingFolder() {
        let url = URL(fileURLWithPath: "/nonexistent/Workflows/nothing")
        #expect(rendered(url) == """
            error: workflow folder 'Workflows/wf' does not exist: name a workflow under Workflows/ (like 'train') or give the path of a folder of step files
             --> Workflows/wf

            1 error found.
            """)
    }

    @Test func folderWithoutStepFiles() throws {
        try withFolder(["README.md": Data("notes".utf8)]) { folder in
            #expect(rendered(folder) == """
                error: no step files in workflow folder 'Workflows/wf': a workflow is a folder of files named like '01-load.step', run in number order
                 --> Workflows/wf

                1 error found.
                """)
        }
    }

    @Test func badNamesDuplicatesAndEncoding() throws {
        var files = Self.text(Fixtures.small)
        files["train.step"] = Data("train model -> x\n".utf8)
        files["3-evaluate.step"] = Data("evaluate trained, test_set -> evaluation2\n".utf8)
        files["05-4eval.step"] = Data("evaluate trained, test_set -> evaluation3\n".utf8)
        files["06-broken.step"] = Data([0x6C, 0x6F, 0x61, 0x64, 0xFF, 0xFE, 0x0A])
        try withFolder(files) { folder in
            // Problems sort by path in number order; the later of two clashing files (in run order) is reported.
            #expect(rendered(folder) == """
                error: step files '03-train.step' and '3-evaluate.step' have the same number 3: steps run in number order, so give each its own number
                 --> Workflows/wf/3-evaluate.step

                error: step files '3-evaluate.step' and '04-evaluate.step' both name a step 'evaluate': --only, --from and --set need each name once, so rename one
                 --> Workflows/wf/04-evaluate.step

                error: step file '05-4eval.step' has an invalid step name '4eval': start it with a letter and use only letters, digits, '-' and '_'
                 --> Workflows/wf/05-4eval.step

                error: step file is not UTF-8 text; save it as UTF-8
                 --> Workflows/wf/06-broken.step

                error: step file 'train.step' has no number; name it like '04-train.step': a number (steps run in number order), '-', then the step's name
                 --> Workflows/wf/train.step

                5 errors found.
                """)
        }
    }

    @Test func loadsFromDiskWithOverrides() throws {
        var files = Self.text(Fixtures.small)
        // A byte-order mark, as some editors write, is not part of the header.
        files["01-load.step"] = Data([0xEF, 0xBB, 0xBF]) + files["01-load.step"]!
        try withFolder(files) { folder in
            let workflow = try WorkflowLoader.load(directory: folder, displayPath: "Workflows/wf", kinds: Fixtures.kinds,
                                                   overrides: ["train.epochs=5"], layers: LayerRegistry.language)
            #expect(workflow.name == "wf")
            #expect(workflow.directory == folder)
            let train = try #require(workflow.step(named: "train"))
            #expect(train.file == folder.appendingPathComponent("03-train.step"))
            #expect(train.number == 3)
            #expect(train.int("epochs") == 5)
            #expect(train.source.path == "Workflows/wf/03-train.step")
            #expect(workflow.step(named: "load")?.normalizedText == "load -> train_set, test_set")
        }
    }
}
