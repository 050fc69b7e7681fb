import Foundation
import NeuralNet
import Testing
@testable import Runtime
@testable import StepDSL

@Suite struct SchemaTests {
    @Test func fileInputsNameTextParameters() {
        for schema in Fixtures.kinds.all {
            switch schema.reads {
            case .folder(let name)?, .file(let name)?:
                #expect(schema.parameter(named: name)?.type == .string, "\(schema.kind.rawValue).\(name)")
            case .dataFolder?:
                #expect(schema.parameter(named: "dataset") != nil)
            case nil:
                break
            }
        }
        #expect(LoadStep.schema.reads == .dataFolder)
        #expect(AugmentWithFeedbackStep.schema.reads == .folder(parameter: "folder"))
        #expect(FinetuneStep.schema.reads == .file(parameter: "model"))
    }

    @Test func slotsAndSignatures() {
        #expect(TrainStep.schema.signature
                    == "train model, dataset(train), dataset(validation)? -> model(trained), history")
        #expect(TrainStep.schema.inputCountRange == 2...3)
        #expect(EvaluateStep.schema.inputCountRange == 2...4)
        #expect(LoadStep.schema.inputCountRange == 0...0)
        for schema in Fixtures.kinds.all {
            // Optional slots come last, so leaving them off the end is the only way to omit them.
            let optional = schema.inputs.map(\.isOptional)
            #expect(optional == optional.sorted { !$0 && $1 }, "\(schema.kind.rawValue)")
            #expect(!schema.outputs.isEmpty)
        }
    }

    /// The language has no kinds of its own: a table with a kind the runtime does not define checks a workflow
    /// using it, and the shipped table calls it unknown.
    @Test func theCheckerKnowsOnlyTheKindsItIsGiven() throws {
        let shuffle = KindSchema(kind: "shuffle", summary: "Reorders a dataset.", inputs: [Slot(.dataset, nil, "the images")],
                                 outputs: [Slot(.dataset, "shuffled", "the images, reordered")],
                                 parameters: [ParameterSpec("seed", .intOrAuto(min: 0, max: Int.max), default: .word("auto"), "Seed.")],
                                 usesSeed: true, usesThreads: false)
        let kinds = StepSchema(Fixtures.kinds.all.filter { $0.kind == .load } + [shuffle])
        let files = [("01-load.step", "load -> train_set, test_set\n"), ("02-shuffle.step", "shuffle train_set -> mixed\n    seed 3\n")]
        let workflow = try WorkflowLoader.check(name: "test", directory: URL(fileURLWithPath: "/nonexistent/Workflows/test"),
                                                displayPath: "Workflows/test", sources: Fixtures.sources(files), kinds: kinds,
                                                layers: LayerRegistry.language)
        #expect(workflow.steps.map(\.kind) == [.load, "shuffle"])
        #expect(workflow.step(named: "shuffle")?.int("seed") == 3)
        #expect(workflow.step(named: "shuffle")?.outputs.first?.name == "mixed")
        #expect(Fixtures.rendered(files).contains("unknown step kind 'shuffle'"), "\(Fixtures.rendered(files))")
        #expect(kinds.kindNames == ["load", "shuffle"])
    }
}
