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
        let shapes = try LayerSpec.shapes(of: layers, input: inputShape)
        let current = shapes.last!
        guard current.count == 1 else {
            throw ModelError("the last layer (\(layers.count - 1), \(layers.last!.name)) outputs shape \(current); "
                             + "a classifier must end in a flat [classes] output (flatten, then dense)")
        }
        self.layers = layers
        self.inputShape = inputShape
        self.normalization = normalization
        self.shapes = shapes
        self.parameters = layers.enumerated().map { i, spec in
            var rng = SeededGenerator.derived(from: seed, name: "init.layers.\(i)")
            return spec.layer.initialParameters(input: i == 0 ? inputShape : shapes[i - 1], rng: &rng)
        }
    }

    /// Layer i's per-image input shape.
    func inputShape(of i: Int) -> [Int] { i == 0 ? inputShape : shapes[i - 1] }

    /// Number of classes the model outputs.
    public var classCount: Int { shapes.last![0] }

    /// Trainable scalars (batch-norm running statistics are buffers and not counted).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.trainableCount } }

    /// Forward-pass floating-point operations per image (multiply-adds counted as two) of the layers whose
    /// matrix products dominate.
    public var flopsPerImage: Int {
        layers.indices.reduce(0) { $0 + layers[$1].layer.flops(input: inputShape(of: $1), output: shapes[$1]) }
    }

    /// One row per layer for the report's table: `conv2d 1→32 3x3`, its output shape, its trainable scalars.
    public func layerSummaries() -> [(name: String, outputShape: [Int], parameters: Int)] {
        layers.indices.map { i in (layers[i].layer.summary, shapes[i], parameters[i].trainableCount) }
    }

    /// The `state_dict` name of the first tensor holding a NaN or an infinity (`layers.3.weight`), nil when every
    /// value is finite. One pass over the weights.
    public func firstNonFiniteParameter() -> String? {
        for (i, p) in parameters.enumerated() {
            for entry in p.entries where entry.tensor.scalars.contains(where: { !$0.isFinite }) {
                return "layers.\(i).\(entry.name)"
            }
        }
        return nil
    }

    /// The tensors by PyTorch `state_dict` name: `layers.<i>.<name>` (`layers.0.weight`, `layers.3.norm1.bias`).
    public func stateDict() -> [String: Tensor] {
        var dict: [String: Tensor] = [:]
        for (i, p) in parameters.enumerated() {
            for entry in p.entries { dict["layers.\(i).\(entry.name)"] = entry.tensor }
        }
        return dict
    }
}

extension LayerSpec {
    /// The per-image output shape of every layer, or the first layer that does not fit.
    public static func shapes(of layers: [LayerSpec], input: [Int]) throws(ModelError) -> [[Int]] {
        var shapes: [[Int]] = []
        var current = input
        for (i, layer) in layers.enumerated() {
            current = try layer.outputShape(for: current, index: i)
            shapes.append(current)
        }
        return shapes
    }
}
