import Foundation
import NeuralNet
@testable import Runtime
import StepDSL
import Testing

/// The build step asks each line's layer type for its layers and their shapes: a model of any registered layers
/// checks, and a line that does not fit is reported at that line.
struct BuildStepTests {
    static func check(_ build: String) throws -> [LayerSpec] {
        let project = try TemporaryDirectory()
        let folder = project.path("Workflows", "net")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in [("01-load.step", "load -> train_set, test_set\n"), ("02-build.step", build),
                             ("03-train.step", "train model, train_set -> trained, history\n")] {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let runner = WorkflowRunner(projectRoot: project.url,
                                    options: RunOptions(workflow: "net", dataDirectory: project.path("no-data")))
        let (workflow, _) = try runner.loadChecked()
        return try BuildStep.layers(of: try #require(workflow.step(named: "build"))).layers
    }

    @Test func tokenModelChecks() throws {
        let layers = try Self.check("build -> model\n    patch_embed 7x7 16\n    cls_token\n    pos_embed\n    gelu\n"
                                    + "    cls_head 10\n")
        #expect(layers.map(\.json) == [
            #"{"type":"patch_embed","in_channels":1,"embed_dim":16,"patch_size":7}"#,
            #"{"type":"cls_token","embed_dim":16}"#, #"{"type":"pos_embed","num_tokens":17,"embed_dim":16}"#,
            #"{"type":"gelu"}"#, #"{"type":"cls_head","in_features":16,"out_features":10}"#,
        ])
    }

    @Test func convModelIsUnchanged() throws {
        let layers = try Self.check("build -> model\n    conv 8 3x3 padding same relu\n    batchnorm\n    maxpool 2\n"
                                    + "    flatten\n    batchnorm\n    dense 10\n")
        #expect(layers == [.conv2d(inChannels: 1, outChannels: 8, kernelSize: 3, stride: 1, padding: 1), .relu,
                           .batchnorm2d(numFeatures: 8), .maxpool2d(kernelSize: 2, stride: 2), .flatten,
                           .batchnorm1d(numFeatures: 1568), .dense(inFeatures: 1568, outFeatures: 10)])
    }

    @Test(arguments: [
        ("    patch_embed 5x5 16\n    cls_token\n    cls_head 10\n",
         "error: patch_embed 5x5 patches do not tile a 28x28 image, but the input here is 1x28x28"),
        ("    flatten\n    conv 8 3x3\n    dense 10\n",
         "error: conv expects a [channels, height, width] input, but the input here is 784"),
        ("    conv 8 3x3\n    dense 10\n",
         "error: dense expects a flat input (add flatten before it), but the input here is 8x26x26"),
        ("    pos_embed\n    patch_embed 7x7 16\n    cls_head 10\n",
         "error: pos_embed expects tokens [count, dim] (add patch_embed before it), but the input here is 1x28x28"),
    ])
    func misfitIsReportedAtItsLine(body: String, expected: String) throws {
        do {
            _ = try Self.check("build -> model\n" + body)
            Issue.record("\(body) checked")
        } catch let list as DiagnosticList {
            #expect(list.rendered().hasPrefix(expected), "\(list.rendered())")
        }
    }
}
