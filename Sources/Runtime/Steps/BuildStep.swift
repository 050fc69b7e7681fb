import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `build -> model`: turns the layer lines into layers (each line's layer type sizes itself from the input shape
/// and says whether it fits), and initialises the weights (PyTorch's defaults) from the step's seed.
enum BuildStep {
    /// The layers and the input shape, or a diagnostic at the line whose shape does not work. Runs at check time,
    /// so a bad architecture fails before anything runs.
    static func layers(of step: Step) throws(Diagnostic) -> (layers: [LayerSpec], inputShape: [Int]) {
        let input = step.size("input")
        guard input == [1, 28, 28] else {
            throw step.diagnostic("input must be 1x28x28, the shape of the datasets' images, not \(input.map(String.init).joined(separator: "x"))",
                                  at: nil)
        }
        var shape = input
        var specs: [LayerSpec] = []
        for line in step.layers {
            guard let type = LayerRegistry.type(keyword: line.keyword) else {
                throw step.diagnostic("no layer '\(line.keyword)' in this build of stepwise", at: line.range)
            }
            for layer in type.make(line, input: shape) {
                do {
                    shape = try layer.outputShape(for: shape)
                } catch {
                    throw step.diagnostic("\(line.keyword) \(LayerShapeError.what(error)), but the input here is \(Self.text(shape))",
                                          at: line.range)
                }
                specs.append(LayerSpec(layer))
            }
        }
        guard shape == [10] else {
            throw step.diagnostic("the last layer must give 10 class scores (`dense 10`), but the model ends with shape \(Self.text(shape))",
                                  at: step.layers.last?.range)
        }
        return (specs, input)
    }

    static func text(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    static func run(_ step: Step, context: StepContext) throws -> [ArtifactValue] {
        let (specs, inputShape) = try layers(of: step)
        let model = try Model(layers: specs, inputShape: inputShape, normalization: InputNormalization(), seed: context.seed)
        context.log("built \(specs.count) layers, \(model.parameterCount) parameters, \(model.flopsPerImage) FLOPs per image")
        return [.model(model)]
    }
}

extension BuildStep: StepKindDefinition {
    static let schema = KindSchema(
        kind: "build",
        summary: "Describes the model, one layer per line (see Layer lines), and initialises its weights.",
        inputs: [],
        outputs: [Slot(.model, "initial", "the untrained model")],
        body: .layers,
        parameters: [
            ParameterSpec("input", .size(dimensions: 1...3), default: .size([1, 28, 28]),
                          "Shape of one input image, channels x height x width; MNIST's is 1x28x28, the only "
                              + "shape the datasets give."),
        ],
        usesSeed: true, usesThreads: false)

    /// The architecture is checked before anything runs.
    static func check(_ step: Step, in workflow: Workflow) -> [Diagnostic] {
        do {
            _ = try layers(of: step)
            return []
        } catch {
            return [error]
        }
    }

    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        try run(step, context: context)
    }
}
