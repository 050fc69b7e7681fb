import StepDSL
import Tensor

/// `nn.Linear(in_features, out_features)` on `[F]` features.
public struct DenseLayer: Layer {
    public static let fileTypes = ["dense", "linear"]
    public static let form = LayerForm(
        "dense", positional: [.init("out_features", .count, what: "the unit count of a dense layer", example: "dense 128")],
        flags: ["relu", "gelu"], usage: "dense UNITS [relu|gelu]")

    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [DenseLayer(inFeatures: input.count == 1 ? input[0] : input.reduce(1, *), outFeatures: line.int("out_features")!)]
            + activation(line)
    }

    public let inFeatures: Int, outFeatures: Int

    public init(inFeatures: Int, outFeatures: Int) {
        (self.inFeatures, self.outFeatures) = (inFeatures, outFeatures)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(inFeatures: file.int("in_features"), outFeatures: file.int("out_features"))
    }

    public var fileArguments: [(key: String, value: LayerValue)] {
        [("in_features", .int(inFeatures)), ("out_features", .int(outFeatures))]
    }

    public var name: String { "dense(\(inFeatures)->\(outFeatures))" }
    public var summary: String { "dense \(inFeatures)→\(outFeatures)" }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        guard inFeatures > 0, outFeatures > 0 else {
            throw LayerShapeError("in_features and out_features must be positive")
        }
        guard input.count == 1 else { throw LayerShapeError("expects a flat input (add flatten before it)") }
        guard input[0] == inFeatures else {
            throw LayerShapeError("expects in_features=\(inFeatures) (in_features=\(input[0]) fits)")
        }
        return [outFeatures]
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        let bound = 1 / Float(inFeatures).squareRoot()
        let w = Tensor.uniform([outFeatures, inFeatures], bound: bound, rng: &rng)
        return LayerParameters(weight: w, bias: .uniform([outFeatures], bound: bound, rng: &rng))
    }

    public func flops(input: [Int], output: [Int]) -> Int { 2 * inFeatures * outFeatures }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        Linear.forward(x, weight: parameters.required("weight"), bias: parameters.required("bias"),
                       threads: context.threads)
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        (forward(x, parameters: parameters, context: context), x)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let g = Linear.backward(input: saved as! Tensor, weight: parameters.required("weight"), outputGradient: dy,
                                inputGradient: context.needsInputGradient, threads: context.threads)
        return (g.input, LayerParameters(weight: g.weight, bias: g.bias))
    }
}
