import Tensor

/// The tensors of one layer, in PyTorch's layouts; nil where the layer has no such tensor.
public struct LayerParameters: Sendable, Equatable {
    public var weight: Tensor?
    public var bias: Tensor?
    /// Batch norm only: statistics used in evaluation mode, updated during training.
    public var runningMean: Tensor?
    public var runningVar: Tensor?

    public init(weight: Tensor? = nil, bias: Tensor? = nil, runningMean: Tensor? = nil, runningVar: Tensor? = nil) {
        self.weight = weight
        self.bias = bias
        self.runningMean = runningMean
        self.runningVar = runningVar
    }

    /// The trainable tensors, in the fixed order optimizers visit them.
    static var trainable: [WritableKeyPath<LayerParameters, Tensor?>] { [\.weight, \.bias] }
}
