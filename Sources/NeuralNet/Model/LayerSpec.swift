/// One layer of a sequential model, with PyTorch's argument names and defaults.
///
/// This is the model's architecture as the DSL's build step describes it and as model files record it in
/// `__metadata__["stepwise.layers"]` (a JSON array of objects such as
/// `{"type":"conv2d","in_channels":1,"out_channels":32,"kernel_size":3,"stride":1,"padding":0}`).
public enum LayerSpec: Sendable, Equatable, Hashable {
    case conv2d(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int)
    case relu
    case gelu
    case maxpool2d(kernelSize: Int, stride: Int)
    case dropout(p: Float)
    case flatten
    case dense(inFeatures: Int, outFeatures: Int)
    case batchnorm1d(numFeatures: Int, eps: Float, momentum: Float)
    case batchnorm2d(numFeatures: Int, eps: Float, momentum: Float)
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
