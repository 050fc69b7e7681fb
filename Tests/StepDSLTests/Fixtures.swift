import Foundation
import NeuralNet
@testable import Runtime
@testable import StepDSL

/// Step files in memory, and the shipped workflows on disk.
enum Fixtures {
    /// The step kinds the runtime defines, which the shipped workflows use.
    static let kinds = StepKinds.schema

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func workflowDirectory(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("Workflows").appendingPathComponent(name)
    }

    /// The shipped step files of a workflow, as (file name, text), in file-name order.
    static func shippedFiles(_ workflow: String) throws -> [(String, String)] {
        let directory = workflowDirectory(workflow)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            .filter { $0.hasSuffix(".step") }
            .map { ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    static func sources(_ files: [(String, String)], folder: String = "Workflows/test") -> [StepSource] {
        files.map { name, text in
            StepSource(fileName: name, url: URL(fileURLWithPath: "/nonexistent/\(folder)/\(name)"),
                       displayPath: "\(folder)/\(name)", text: text)
        }
    }

    /// Checks in-memory files; returns the workflow or the rendered diagnostics.
    static func check(_ files: [(String, String)], overrides: [String] = []) -> Result<Workflow, DiagnosticList> {
        do throws(DiagnosticList) {
            return .success(try WorkflowLoader.check(
                name: "test", directory: URL(fileURLWithPath: "/nonexistent/Workflows/test"),
                displayPath: "Workflows/test", sources: sources(files), kinds: kinds, overrides: overrides,
                layers: LayerRegistry.language))
        } catch {
            return .failure(error)
        }
    }

    /// The rendered diagnostics of files that must fail to check ("" if they passed).
    static func rendered(_ files: [(String, String)], overrides: [String] = []) -> String {
        switch check(files, overrides: overrides) {
        case .success: ""
        case .failure(let list): list.rendered()
        }
    }

    /// A minimal valid training workflow to mutate in tests.
    static let small: [(String, String)] = [
        ("01-load.step", "load -> train_set, test_set\n"),
        ("02-build.step", "build -> model\n    flatten\n    dense 10\n"),
        ("03-train.step", "train model, train_set -> trained, history\n    epochs 2\n"),
        ("04-evaluate.step", "evaluate trained, test_set -> evaluation\n"),
    ]

    static func replacing(_ file: String, with text: String, in files: [(String, String)] = small)
        -> [(String, String)] {
        files.map { $0.0 == file ? ($0.0, text) : $0 }
    }
}

/// The shipped kinds by name, as headers write them.
extension StepKind {
    static let load = LoadStep.schema.kind
    static let preprocess = PreprocessStep.schema.kind
    static let build = BuildStep.schema.kind
    static let train = TrainStep.schema.kind
    static let evaluate = EvaluateStep.schema.kind
    static let plot = PlotStep.schema.kind
    static let save = SaveStep.schema.kind
    static let augmentWithFeedback = AugmentWithFeedbackStep.schema.kind
    static let finetune = FinetuneStep.schema.kind
}
