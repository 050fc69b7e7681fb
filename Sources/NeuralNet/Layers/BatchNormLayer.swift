import StepDSL
import Tensor

/// `nn.BatchNorm1d` on `[F]` or `nn.BatchNorm2d` on `[C, H, W]` (`num_features`, `eps`, `momentum`): `weight` and
/// `bias` trainable, `running_mean` and `running_var` buffers.
public struct BatchNormLayer: Layer {
    public static let fileTypes = ["batchnorm1d", "batchnorm2d"]
    /// `batchnorm`: 2-D on images, 1-D on features, decided by the input's shape.
    public static let form = LayerForm("batchnorm", usage: "batchnorm")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [BatchNormLayer(numFeatures: input.first ?? 0, spatial: input.count == 3)]
    }
    public let numFeatures: Int, eps: Float, momentum: Float
    /// 2-D (over channels of an image) rather than 1-D (over features).
    public let spatial: Bool

    public init(numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, spatial: Bool) {
        (self.numFeatures, self.eps, self.momentum, self.spatial) = (numFeatures, eps, momentum, spatial)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(numFeatures: file.int("num_features"), eps: file.float("eps", default: 1e-5),
                      momentum: file.float("momentum", default: 0.1), spatial: file.type == "batchnorm2d")
    }

    public var fileType: String { spatial ? "batchnorm2d" : "batchnorm1d" }
    public var fileArguments: [(key: String, value: LayerValue)] {
        [("num_features", .int(numFeatures)), ("eps", .float(eps)), ("momentum", .float(momentum))]
    }

    public var name: String { "\(fileType)(\(numFeatures))" }
    public var summary: String { "\(fileType) \(numFeatures)" }
    public var unusedInt64Buffers: [String] { ["num_batches_tracked"] }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        if spatial {
            guard input.count == 3, input[0] == numFeatures else { throw LayerShapeError("expects \(numFeatures) channels") }
        } else {
            guard input.count == 1, input[0] == numFeatures else {
                throw LayerShapeError("expects a flat input of \(numFeatures) features")
            }
        }
        guard eps > 0 else { throw LayerShapeError("eps must be positive") }
        return input
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        let n = numFeatures
        return LayerParameters(weight: Tensor(repeating: 1, shape: [n]), bias: Tensor(zeros: [n]),
                               runningMean: Tensor(zeros: [n]), runningVar: Tensor(repeating: 1, shape: [n]))
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        BatchNorm.forwardEval(x, params: parameters, eps: eps)
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        let (y, saved) = BatchNorm.forwardTraining(x, params: &parameters, eps: eps, momentum: momentum)
        return (y, saved)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let g = BatchNorm.backward(dy, saved: saved as! BatchNorm.Saved, gamma: parameters.required("weight"))
        return (g.input, LayerParameters(weight: g.weight, bias: g.bias))
    }
}
