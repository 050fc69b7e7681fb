import Foundation
import Testing
@testable import StepDSL

@Suite struct SchemaTests {
    @Test func fileInputsNameTextParameters() {
        for schema in StepSchema.all {
            switch schema.reads {
            case .folder(let name)?, .file(let name)?:
                #expect(schema.parameter(named: name)?.type == .string, "\(schema.kind.rawValue).\(name)")
            case .dataFolder?:
                #expect(schema.parameter(named: "dataset") != nil)
            case nil:
                break
            }
        }
        #expect(StepKind.load.schema.reads == .dataFolder)
        #expect(StepKind.augmentWithFeedback.schema.reads == .folder(parameter: "folder"))
        #expect(StepKind.finetune.schema.reads == .file(parameter: "model"))
    }

    @Test func slotsAndSignatures() {
        #expect(StepKind.train.schema.signature
                    == "train model, dataset(train), dataset(validation)? -> model(trained), history")
        #expect(StepKind.train.schema.inputCountRange == 2...3)
        #expect(StepKind.evaluate.schema.inputCountRange == 2...4)
        #expect(StepKind.load.schema.inputCountRange == 0...0)
        for schema in StepSchema.all {
            // Optional slots come last, so leaving them off the end is the only way to omit them.
            let optional = schema.inputs.map(\.isOptional)
            #expect(optional == optional.sorted { !$0 && $1 }, "\(schema.kind.rawValue)")
            #expect(!schema.outputs.isEmpty)
        }
    }
}
