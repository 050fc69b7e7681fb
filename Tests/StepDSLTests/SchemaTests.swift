import Foundation
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
}
