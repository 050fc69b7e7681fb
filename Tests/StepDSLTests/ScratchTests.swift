import Foundation
import Testing
@testable import StepDSL

@Test func scratch() throws {
    print(Fixtures.rendered(Fixtures.replacing("03-train.step", with: "train model, train_set -> trained, history\n    epoch 12\n\toptimizer adma lr 1e-3\n    lr 2\n")))
    print("----")
    print(Fixtures.rendered(Fixtures.small, overrides: ["train.epochs=abc", "trian.epochs=3", "train.epoch=3", "--set load.limit"]))
    print("----")
    print(Fixtures.rendered(Fixtures.replacing("04-evaluate.step", with: "evaluate history, test_set, trained2 -> evaluation, extra\n")))
    print("----")
    print(Fixtures.rendered(Fixtures.replacing("02-build.step", with: "build -> model\n    conv 32 3x5\n    inptu 1x28x28\n    cnv 3\n    dense 10 relu extra\n maxpool 2 stride 1\n")))
    let w = try WorkflowLoader.load(directory: Fixtures.workflowDirectory("train"), displayPath: "Workflows/train")
    for s in w.steps { print(s.name, s.kind, s.inputs, s.outputs, s.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }, s.layers.count) ; print(s.normalizedText) }
    let r = try WorkflowLoader.load(directory: Fixtures.workflowDirectory("retrain"), displayPath: "Workflows/retrain")
    print(r.steps.map(\.name), r.warnings)
    print(StepSchema.markdownReference())
}
