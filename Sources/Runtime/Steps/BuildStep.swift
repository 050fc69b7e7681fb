import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `build -> model`: turns the layer lines into layers, working out channel and feature counts from the input
/// shape, and initialises the weights (PyTorch's defaults) from the step's seed.
enum BuildStep {
    /// The layers and the input shape, or a diagnostic at the line whose shape does not work. Runs at check time,
    /// so a bad architecture fails before anything runs.
    static func layers(of step: Step) throws(Diagnostic) -> (layers: [LayerSpec], inputShape: [Int]) {
        let input = step.size("input")
        guard input == [1, 28, 28] else {
            throw step.diagnostic("input must be 1x28x28, the shape of the datasets' images, not \(input.map(String.init).joined(separator: "x"))",
                                  at: nil)
        }
        var shape = input  // [C, H, W] while spatial, [F] after flatten
        var specs: [LayerSpec] = []
        func activation(_ a: LayerDecl.Activation?) {
            switch a {
            case .relu: specs.append(.relu)
            case .gelu: specs.append(.gelu)
            case nil: break
            }
        }
        for decl in step.layers {
            switch decl {
            case let .conv(out, k, stride, padding, act, range):
                guard shape.count == 3 else {
                    throw step.diagnostic("conv needs an image-shaped input, but the layers before it flatten to \(shape[0]) features", at: range)
                }
                let h = (shape[1] + 2 * padding - k) / stride + 1
                let w = (shape[2] + 2 * padding - k) / stride + 1
                guard shape[1] + 2 * padding >= k, shape[2] + 2 * padding >= k, h > 0, w > 0 else {
                    throw step.diagnostic("a \(k)x\(k) kernel does not fit the \(shape[1])x\(shape[2]) input here; use a smaller kernel or padding", at: range)
                }
                specs.append(.conv2d(inChannels: shape[0], outChannels: out, kernelSize: k, stride: stride, padding: padding))
                activation(act)
                shape = [out, h, w]
            case let .maxpool(k, stride, range):
                guard shape.count == 3 else {
                    throw step.diagnostic("maxpool needs an image-shaped input, but the layers before it flatten", at: range)
                }
                guard shape[1] >= k, shape[2] >= k else {
                    throw step.diagnostic("maxpool \(k) does not fit the \(shape[1])x\(shape[2]) input here", at: range)
                }
                specs.append(.maxpool2d(kernelSize: k, stride: stride))
                shape = [shape[0], (shape[1] - k) / stride + 1, (shape[2] - k) / stride + 1]
            case let .dropout(p, _):
                specs.append(.dropout(p: Float(p)))
            case .flatten:
                specs.append(.flatten)
                shape = [shape.reduce(1, *)]
            case let .dense(units, act, range):
                guard shape.count == 1 else {
                    throw step.diagnostic("dense needs a flat input: add `flatten` before it (the input here is \(shape.map(String.init).joined(separator: "x")))", at: range)
                }
                specs.append(.dense(inFeatures: shape[0], outFeatures: units))
                activation(act)
                shape = [units]
            case .batchnorm:
                specs.append(shape.count == 3
                    ? .batchnorm2d(numFeatures: shape[0], eps: 1e-5, momentum: 0.1)
                    : .batchnorm1d(numFeatures: shape[0], eps: 1e-5, momentum: 0.1))
            case let .activation(a, _):
                activation(a)
            }
        }
        guard shape == [10] else {
            throw step.diagnostic("the last layer must give 10 class scores (`dense 10`), but the model ends with shape \(shape.map(String.init).joined(separator: "x"))",
                                  at: step.layers.last?.range)
        }
        return (specs, input)
    }

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
