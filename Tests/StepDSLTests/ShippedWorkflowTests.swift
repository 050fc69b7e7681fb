import Foundation
import NeuralNet
import Testing
@testable import Runtime
@testable import StepDSL

@Suite struct ShippedWorkflowTests {
    @Test func trainWorkflowLoadsWithResolvedParameters() throws {
        let workflow = try WorkflowLoader.load(directory: Fixtures.workflowDirectory("train"),
                                               displayPath: "Workflows/train", kinds: Fixtures.kinds,
                                               layers: LayerRegistry.language)
        #expect(workflow.name == "train")
        #expect(workflow.steps.map(\.name) == ["load", "preprocess", "build", "train", "evaluate", "save", "plot"])
        #expect(workflow.steps.map(\.kind) == [.load, .preprocess, .build, .train, .evaluate, .save, .plot])
        #expect(workflow.warnings.isEmpty)

        let train = try #require(workflow.step(named: "train"))
        #expect(train.inputs.map(\.name) == ["model", "train_data", "val_data"])
        #expect(train.inputs.map(\.producer) == ["build", "preprocess", "preprocess"])
        #expect(train.inputs.map(\.role) == ["initial", "train", "validation"])
        #expect(train.outputs.map(\.name) == ["trained", "history"])
        #expect(train.outputs.map(\.type) == [.model, .history])
        #expect(train.int("epochs") == 24)
        #expect(train.int("batch") == 128)
        #expect(train.string("optimizer") == "adam")
        #expect(abs(train.double("lr") - 0.003) < 1e-12)
        #expect(train.string("schedule") == "onecycle")
        #expect(abs(train.double("label_smoothing") - 0.05) < 1e-12)
        #expect(train.explicitParameters == ["epochs", "batch", "optimizer", "lr", "schedule", "label_smoothing"])
        // Every schema key is present, defaults filled in.
        #expect(Set(train.parameters.keys) == Set(TrainStep.schema.parameters.map(\.name)))
        #expect(train.int("threads") == 2)
        #expect(train.seed == nil)
        #expect(train.parameters["seed"] == .word("auto"))

        let preprocess = try #require(workflow.step(named: "preprocess"))
        #expect(abs(preprocess.double("scale") - 1.0 / 255.0) < 1e-15)
        #expect(preprocess.int("validation") == 5000)
        #expect(abs(preprocess.double("rotation") - 10) < 1e-12)

        let load = try #require(workflow.step(named: "load"))
        #expect(load.int("limit") == 60_000)
        #expect(load.string("dataset") == "mnist")

        let save = try #require(workflow.step(named: "save"))
        #expect(save.string("path") == "Outputs/models/cnn.safetensors")
        #expect(save.bool("gate") == false)
    }

    @Test func trainWorkflowBuildsTheDefaultNetwork() throws {
        let workflow = try WorkflowLoader.load(directory: Fixtures.workflowDirectory("train"),
                                               displayPath: "Workflows/train", kinds: Fixtures.kinds,
                                               layers: LayerRegistry.language)
        let build = try #require(workflow.step(named: "build"))
        #expect(build.size("input") == [1, 28, 28])
        let arguments: [String] = build.layers.map { layer in
            ([layer.keyword] + layer.arguments.keys.sorted().map { "\($0)=\(layer.arguments[$0]!)" })
                .joined(separator: " ")
        }
        #expect(arguments == [
            "conv activation=word(\"relu\") kernel_size=int(3) out_channels=int(32) padding=int(0) stride=int(1)",
            "maxpool kernel_size=int(2) stride=int(2)",
            "conv activation=word(\"relu\") kernel_size=int(3) out_channels=int(64) padding=int(0) stride=int(1)",
            "maxpool kernel_size=int(2) stride=int(2)",
            "flatten", "dropout p=decimal(0.25)", "dense activation=word(\"relu\") out_features=int(128)",
            "dropout p=decimal(0.25)", "dense out_features=int(10)"])
        // Layer ranges point at their lines, so runtime shape errors can be reported there.
        let first = try #require(build.layers.first)
        let diagnostic = build.diagnostic("conv layer needs 3 input channels, got 1", at: first.range)
        #expect(diagnostic.rendered() == """
            error: conv layer needs 3 input channels, got 1
             --> Workflows/train/03-build.step:7:5
              |
            7 |     conv 32 3x3 relu
              |     ^^^^^^^^^^^^^^^^
            """)
    }

    @Test func retrainWorkflowLoadsWithGatedSave() throws {
        let workflow = try WorkflowLoader.load(directory: Fixtures.workflowDirectory("retrain"),
                                               displayPath: "Workflows/retrain", kinds: Fixtures.kinds,
                                               layers: LayerRegistry.language)
        #expect(workflow.steps.map(\.name) == ["load", "augment-with-feedback", "finetune", "evaluate", "save", "plot"])
        #expect(workflow.warnings.isEmpty)
        let evaluate = try #require(workflow.step(named: "evaluate"))
        #expect(evaluate.inputs.map(\.name) == ["tuned", "mnist_test", "feedback", "baseline"])
        #expect(evaluate.inputs.map(\.role) == ["tuned", "test", "feedback", "baseline"])
        let finetune = try #require(workflow.step(named: "finetune"))
        #expect(finetune.outputs.map(\.role) == ["baseline", "tuned", nil])
        #expect(finetune.int("epochs") == 3)
        #expect(abs(finetune.double("lr") - 0.0002) < 1e-12)
        let save = try #require(workflow.step(named: "save"))
        #expect(save.bool("gate"))
        #expect(abs(save.double("max_accuracy_drop") - 0.3) < 1e-12)
        #expect(workflow.producer(of: "feedback")?.name == "augment-with-feedback")
    }

    @Test func normalizedTextIgnoresCommentsAndSpacing() throws {
        let plain = Fixtures.small
        let reformatted = Fixtures.replacing(
            "03-train.step",
            with: "# a comment\n\ntrain   model ,train_set->trained,history   # trailing\n\t epochs\t2\n\n")
        let a = try Fixtures.check(plain).get().step(named: "train")
        let b = try Fixtures.check(reformatted).get().step(named: "train")
        #expect(a?.normalizedText == "train model, train_set -> trained, history\nepochs 2")
        #expect(a?.normalizedText == b?.normalizedText)
    }
}

@Suite struct ShippedVisionTransformerTests {
    @Test func vitWorkflowLoadsWithItsTransformer() throws {
        let workflow = try WorkflowLoader.load(directory: Fixtures.workflowDirectory("vit"), displayPath: "Workflows/vit",
                                               kinds: Fixtures.kinds, layers: LayerRegistry.language)
        #expect(workflow.warnings.isEmpty)
        let build = try #require(workflow.step(named: "build"))
        #expect(build.canonicalLayers == ["patch_embed 7x7 64", "cls_token", "pos_embed"]
                + Array(repeating: "encoder mlp 128", count: 4) + ["layernorm", "cls_head 10"])
    }
}

/// Workflows/compare trains the very models of Workflows/train and Workflows/vit, with their recipes: the report
/// compares what those workflows ship, and load and preprocess are the same steps (one cache entry for all).
@Suite struct ShippedComparisonTests {
    static func load(_ name: String) throws -> Workflow {
        try WorkflowLoader.load(directory: Fixtures.workflowDirectory(name), displayPath: "Workflows/\(name)",
                                kinds: Fixtures.kinds, layers: LayerRegistry.language)
    }

    @Test func compareTrainsTheShippedModelsWithTheShippedRecipes() throws {
        let compare = try Self.load("compare")
        let (train, vit) = (try Self.load("train"), try Self.load("vit"))
        #expect(compare.warnings.isEmpty, "\(compare.warnings)")
        for (mine, theirs, workflow) in [("build-cnn", "build", train), ("build-vit", "build", vit)] {
            #expect(compare.step(named: mine)?.canonicalLayers == workflow.step(named: theirs)?.canonicalLayers, "\(mine)")
        }
        for (mine, theirs, workflow) in [("train-cnn", "train", train), ("train-vit", "train", vit),
                                         ("load", "load", train), ("preprocess", "preprocess", train), ("preprocess", "preprocess", vit)] {
            let a = try #require(compare.step(named: mine)), b = try #require(workflow.step(named: theirs))
            #expect(a.parameters == b.parameters, "\(mine) differs from \(theirs)")
        }
        #expect(compare.step(named: "compare")?.kind == "compare")
    }
}
