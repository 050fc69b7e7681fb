import StepDSL
import Tensor

/// `nn.Dropout(p)`: in training, zeroes each value with probability p and scales the rest by 1/(1-p); one key
/// drawn from the pass's generator per layer. Identity in evaluation.
public struct DropoutLayer: Layer {
    public static let fileTypes = ["dropout"]
    public static let form = LayerForm(
        "dropout", positional: [.init("p", .probability, what: "dropout probability", example: "dropout 0.25")],
        usage: "dropout P")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [DropoutLayer(p: Float(line.decimal("p")!))]
    }
    public let p: Float

    public init(p: Float) {
        self.p = p
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(p: file.float("p", default: 0.5))
    }

    public var fileArguments: [(key: String, value: LayerValue)] { [("p", .float(p))] }
    public var name: String { "dropout(\(p))" }
    public var summary: String { "dropout \(p)" }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        guard p >= 0 && p < 1 else { throw LayerShapeError("p must be in [0, 1), got \(p)") }
        return input
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor { x }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        var y = x
        let mask = Dropout.forward(&y, p: p, key: rng.next(), threads: context.threads)
        return (y, mask)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        var dx = dy
        Dropout.backward(&dx, mask: saved as! [Float])
        return (dx, LayerParameters())
    }
}
