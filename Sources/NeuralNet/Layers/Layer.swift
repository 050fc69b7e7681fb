import Foundation
import StepDSL
import Tensor

/// One layer of a sequential model. A layer type owns everything about itself: its model-file form (PyTorch's
/// argument names), its output shape, its named parameters (PyTorch's names and layouts) and their initial
/// values, its forward and backward passes, and its FLOPs. `LayerRegistry` lists the types; nothing else in the
/// engine, the file format, the summary or the checker switches over layers.
///
/// Shapes are per image: `[C, H, W]` for images, `[T, D]` for tokens, `[F]` for features.
public protocol Layer: Sendable {
    /// The model file's `"type"` names this type reads (`conv2d`; `dense` and `linear`); the first is written
    /// unless `fileType` says otherwise.
    static var fileTypes: [String] { get }
    /// The `"type"` this layer writes.
    var fileType: String { get }
    /// The model file's arguments, PyTorch's names, in a fixed order (the file's bytes depend on it).
    var fileArguments: [(key: String, value: LayerValue)] { get }
    /// How a build step writes the layer (`conv 32 3x3 relu`).
    static var form: LayerForm { get }
    /// The layers a checked line stands for, sized for a per-image `input` shape (`conv 32 3x3 relu` on
    /// `[1, 28, 28]` is a 1→32 convolution and a ReLU). Whether they fit is `outputShape`'s to say.
    static func make(_ line: LayerDecl, input: [Int]) -> [any Layer]

    /// Rebuilds the layer from its model-file arguments (`file.type` is one of `fileTypes`).
    init(file: LayerArguments) throws

    /// For messages: `conv2d(1->32, 3x3)`.
    var name: String { get }
    /// For the report's model table: `conv2d 1→32 3x3`.
    var summary: String { get }

    /// The output shape for an input shape, or what does not fit (a `LayerShapeError`).
    func outputShape(for input: [Int]) throws -> [Int]
    /// The parameters with PyTorch's default initialisation, drawn from `rng` in the order PyTorch creates them.
    func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters
    /// Forward floating-point operations per image (a multiply-add counts as two); 0 for layers whose cost
    /// is negligible beside the matrix products.
    func flops(input: [Int], output: [Int]) -> Int

    /// Evaluation mode: dropout off, batch norm on running statistics.
    func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor
    /// Training mode: returns the output and what `backward` needs. Statistics (batch norm) update in place;
    /// random draws come from `rng`.
    func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                         rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable)
    /// The input gradient (nil when `context.needsInputGradient` is false and the layer skipped it) and the
    /// gradients of the trainable parameters, by the same names.
    func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters)

    /// Whether this layer computes `next` too, in one fused kernel (a convolution followed by ReLU).
    func fuses(_ next: any Layer) -> Bool
    /// Names of Int64 scalar buffers PyTorch's `state_dict` has and Stepwise does not use
    /// (`num_batches_tracked`): written as zeros so `load_state_dict` finds them.
    var unusedInt64Buffers: [String] { get }
}

extension Layer {
    public func fuses(_ next: any Layer) -> Bool { false }
    public var unusedInt64Buffers: [String] { [] }
    public func flops(input: [Int], output: [Int]) -> Int { 0 }
    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters { LayerParameters() }
    public var fileType: String { Self.fileTypes[0] }

    /// `init(file:)` for a caller holding the type as `any Layer.Type`.
    static func decoded(_ file: LayerArguments) throws -> any Layer { try Self(file: file) }
}

/// The activation a line's flag names (`dense 128 relu`), as a layer of its own.
func activation(_ line: LayerDecl) -> [any Layer] {
    switch line.word("activation") {
    case "relu": [ReLULayer()]
    case "gelu": [GELULayer()]
    default: []
    }
}

/// What a layer knows about its place in the pass: the batch, per-image shapes, threads, fusion.
public struct LayerContext: Sendable {
    public var batch: Int
    /// Per-image input and output shapes.
    public var input: [Int]
    public var output: [Int]
    public var threads: Int
    /// This layer also computes the next one (see `Layer.fuses`).
    public var fusesNext: Bool = false
    /// The previous layer computed this one already: forward passes the input through.
    public var fusedIntoPrevious: Bool = false
    /// Backward: whether the caller needs the input gradient.
    public var needsInputGradient: Bool = true
    /// Backward of a fusing layer: what the fused next layer saved in its forward pass.
    public var fusedSaved: (any Sendable)?
}

/// A layer that does not fit its input: `what` says why (`expects a flat input (add flatten before it)`).
public struct LayerShapeError: Error, Sendable, Equatable {
    public let what: String
    public init(_ what: String) { self.what = what }

    /// What an error from `Layer.outputShape` says.
    public static func what(_ error: any Error) -> String {
        (error as? LayerShapeError)?.what ?? String(describing: error)
    }
}

/// A model-file argument value.
public enum LayerValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case int(Int)
    case float(Float)

    public var description: String {
        switch self {
        case let .int(n): String(n)
        case let .float(x): "\(x)"
        }
    }
}

/// A layer's model-file arguments (a JSON object), read with the messages the file format gives.
public struct LayerArguments: @unchecked Sendable {
    let object: [String: Any]
    public let type: String
    let index: Int

    init(object: [String: Any], type: String, index: Int) {
        (self.object, self.type, self.index) = (object, type, index)
    }

    /// For code that builds a layer from values it already has.
    public init(_ values: [String: LayerValue], type: String) {
        var object: [String: Any] = [:]
        for (key, value) in values {
            switch value {
            case let .int(n): object[key] = NSNumber(value: n)
            case let .float(x): object[key] = NSNumber(value: x)
            }
        }
        self.init(object: object, type: type, index: 0)
    }

    public func int(_ key: String, default value: Int? = nil) throws(ModelFileError) -> Int {
        if let n = object[key] as? NSNumber, n.doubleValue == n.doubleValue.rounded() { return n.intValue }
        if object[key] == nil, let value { return value }
        throw ModelFileError("layer \(index) (\(type)) needs an integer \"\(key)\"")
    }

    public func float(_ key: String, default value: Float) throws(ModelFileError) -> Float {
        if let n = object[key] as? NSNumber { return n.floatValue }
        if object[key] == nil { return value }
        throw ModelFileError("layer \(index) (\(type)): \"\(key)\" must be a number")
    }
}

extension Tensor {
    /// Normal values with standard deviation `std`: timm's `trunc_normal_(std=.02)` cuts at ±2, a hundred
    /// deviations out, so for these deviations a plain normal draw is the same distribution.
    static func normal(_ shape: [Int], std: Float, rng: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.nextNormal() * std })
    }

    /// Uniform in ±bound, one draw per element from `rng` (PyTorch's `kaiming_uniform_(a=sqrt(5))` and bias
    /// initialisation use bound = 1/sqrt(fan_in)).
    static func uniform(_ shape: [Int], bound: Float, rng: inout SeededGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in (rng.nextUnitFloat() * 2 - 1) * bound })
    }
}
