import Tensor

/// A sequential network: the layer list, the per-image input shape, how pixels are normalised, and the
/// parameters of every layer (PyTorch layouts). A value type: copying a model copies its weights lazily.
public struct Model: Sendable {
    public var layers: [LayerSpec]
    /// Per-image input shape `[channels, height, width]`.
    public var inputShape: [Int]
    public var normalization: InputNormalization
    /// One entry per layer, in layer order.
    public var parameters: [LayerParameters]
    /// Per-image output shape of every layer (`shapes[i]` is layer i's output).
    public let shapes: [[Int]]

    /// A model with PyTorch's default initialisation: weights kaiming-uniform with a = sqrt(5) (that is,
    /// uniform in ±1/sqrt(fan_in)), biases uniform in ±1/sqrt(fan_in), batch norm scale 1 and shift 0.
    /// Throws when a layer does not fit its input (for example a dense layer's in_features).
    public init(layers: [LayerSpec], inputShape: [Int], normalization: InputNormalization, seed: UInt64) throws {
        guard !layers.isEmpty else { throw ModelError("a model needs at least one layer") }
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ModelError("input shape must be [channels, height, width] with positive sizes, got \(inputShape)")
        }
        var shapes: [[Int]] = []
        var current = inputShape
        for (i, layer) in layers.enumerated() {
            current = try layer.outputShape(for: current, index: i)
            shapes.append(current)
        }
        guard current.count == 1 else {
            throw ModelError("the last layer (\(layers.count - 1), \(layers.last!.name)) outputs shape \(current); "
                             + "a classifier must end in a flat [classes] output (flatten, then dense)")
        }
        self.layers = layers
        self.inputShape = inputShape
        self.normalization = normalization
        self.shapes = shapes
        self.parameters = layers.enumerated().map { i, layer in
            var rng = SeededGenerator.derived(from: seed, name: "init.layers.\(i)")
            return Self.initialParameters(layer, rng: &rng)
        }
    }

    static func initialParameters(_ layer: LayerSpec, rng: inout SeededGenerator) -> LayerParameters {
        func uniform(_ shape: [Int], bound: Float) -> Tensor {
            let n = shape.reduce(1, *)
            return Tensor(shape: shape, scalars: (0..<n).map { _ in (rng.nextUnitFloat() * 2 - 1) * bound })
        }
        switch layer {
        case let .conv2d(inC, outC, k, _, _):
            let bound = 1 / Float(inC * k * k).squareRoot()
            let w = uniform([outC, inC, k, k], bound: bound)
            return LayerParameters(weight: w, bias: uniform([outC], bound: bound))
        case let .dense(inF, outF):
            let bound = 1 / Float(inF).squareRoot()
            let w = uniform([outF, inF], bound: bound)
            return LayerParameters(weight: w, bias: uniform([outF], bound: bound))
        case let .batchnorm1d(n, _, _), let .batchnorm2d(n, _, _):
            return LayerParameters(weight: Tensor(repeating: 1, shape: [n]), bias: Tensor(zeros: [n]),
                                   runningMean: Tensor(zeros: [n]), runningVar: Tensor(repeating: 1, shape: [n]))
        case .relu, .gelu, .maxpool2d, .dropout, .flatten:
            return LayerParameters()
        }
    }

    /// Number of classes the model outputs.
    public var classCount: Int { shapes.last![0] }

    /// Trainable scalars (weights and biases; batch-norm running statistics are not counted).
    public var parameterCount: Int {
        parameters.reduce(0) { $0 + ($1.weight?.count ?? 0) + ($1.bias?.count ?? 0) }
    }

    /// Forward-pass floating-point operations per image (multiply-adds counted as two) of the conv and
    /// dense layers, which dominate.
    public var flopsPerImage: Int {
        var flops = 0
        for (i, layer) in layers.enumerated() {
            switch layer {
            case let .conv2d(inC, outC, k, _, _):
                flops += 2 * outC * shapes[i][1] * shapes[i][2] * inC * k * k
            case let .dense(inF, outF):
                flops += 2 * inF * outF
            default:
                break
            }
        }
        return flops
    }

    public func layerSummaries() -> [(name: String, outputShape: [Int], parameters: Int)] {
        layers.indices.map { i in
            (layers[i].name, shapes[i], (parameters[i].weight?.count ?? 0) + (parameters[i].bias?.count ?? 0))
        }
    }

    /// The `state_dict` name of the first tensor holding a NaN or an infinity (`layers.3.weight`), nil when every
    /// value is finite. One pass over the weights.
    public func firstNonFiniteParameter() -> String? {
        for (i, p) in parameters.enumerated() {
            for (name, tensor) in [("weight", p.weight), ("bias", p.bias), ("running_mean", p.runningMean),
                                   ("running_var", p.runningVar)] {
                guard let tensor else { continue }
                if tensor.scalars.contains(where: { !$0.isFinite }) { return "layers.\(i).\(name)" }
            }
        }
        return nil
    }

    /// The tensors by PyTorch `state_dict` name: `layers.<i>.weight`, `.bias`, `.running_mean`, `.running_var`.
    public func stateDict() -> [String: Tensor] {
        var dict: [String: Tensor] = [:]
        for (i, p) in parameters.enumerated() {
            if let t = p.weight { dict["layers.\(i).weight"] = t }
            if let t = p.bias { dict["layers.\(i).bias"] = t }
            if let t = p.runningMean { dict["layers.\(i).running_mean"] = t }
            if let t = p.runningVar { dict["layers.\(i).running_var"] = t }
        }
        return dict
    }
}
