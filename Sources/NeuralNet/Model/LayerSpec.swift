/// One layer of a sequential model as a value: any `Layer`, compared by its model-file form.
///
/// Model files record the list in `__metadata__["stepwise.layers"]`, a JSON array of objects such as
/// `{"type":"conv2d","in_channels":1,"out_channels":32,"kernel_size":3,"stride":1,"padding":0}`.
public struct LayerSpec: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let layer: any Layer

    public init(_ layer: any Layer) {
        self.layer = layer
    }

    public var name: String { layer.name }
    public var description: String { layer.name }

    /// The model-file JSON object, keys in a fixed order.
    public var json: String {
        let fields = [(key: "type", value: "\"\(layer.fileType)\"")]
            + layer.fileArguments.map { (key: $0.key, value: $0.value.description) }
        return "{" + fields.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    public static func == (a: LayerSpec, b: LayerSpec) -> Bool { a.json == b.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }

    /// The output shape, with the layer's index and name in the message.
    public func outputShape(for input: [Int], index: Int) throws(ModelError) -> [Int] {
        do {
            return try layer.outputShape(for: input)
        } catch {
            throw ModelError("layer \(index) (\(name)): \(LayerShapeError.what(error)), but its input has shape \(input)")
        }
    }
}

/// The layers by their PyTorch names, for code that writes an architecture out.
extension LayerSpec {
    public static func conv2d(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0)
        -> LayerSpec {
        LayerSpec(Conv2DLayer(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize,
                              stride: stride, padding: padding))
    }
    public static var relu: LayerSpec { LayerSpec(ReLULayer()) }
    public static var gelu: LayerSpec { LayerSpec(GELULayer()) }
    public static func maxpool2d(kernelSize: Int, stride: Int) -> LayerSpec {
        LayerSpec(MaxPool2DLayer(kernelSize: kernelSize, stride: stride))
    }
    public static func dropout(p: Float) -> LayerSpec { LayerSpec(DropoutLayer(p: p)) }
    public static var flatten: LayerSpec { LayerSpec(FlattenLayer()) }
    public static func dense(inFeatures: Int, outFeatures: Int) -> LayerSpec {
        LayerSpec(DenseLayer(inFeatures: inFeatures, outFeatures: outFeatures))
    }
    public static func batchnorm1d(numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1) -> LayerSpec {
        LayerSpec(BatchNormLayer(numFeatures: numFeatures, eps: eps, momentum: momentum, spatial: false))
    }
    public static func batchnorm2d(numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1) -> LayerSpec {
        LayerSpec(BatchNormLayer(numFeatures: numFeatures, eps: eps, momentum: momentum, spatial: true))
    }
}

/// How raw 8-bit pixels become model input: `input = (pixel * scale - mean) / std`.
public struct InputNormalization: Sendable, Equatable, Hashable {
    public var scale: Float
    public var mean: Float
    public var std: Float

    public init(scale: Float = 1.0 / 255.0, mean: Float = 0.1307, std: Float = 0.3081) {
        self.scale = scale
        self.mean = mean
        self.std = std
    }
}
