import StepDSL
import Tensor

/// timm's classification head on the class token (`global_pool='token'`): takes token 0 of `[T, D]` and applies
/// `nn.Linear(D, classes)`, parameters `weight` `[classes, D]` and `bias` `[classes]`.
public struct ClassifierHeadLayer: Layer {
    public static let fileTypes = ["cls_head"]
    public static let form = LayerForm(
        "cls_head", positional: [.init("classes", .count, what: "the class count of a head", example: "cls_head 10")],
        usage: "cls_head CLASSES")
    public static func make(_ line: LayerDecl, input: [Int]) -> [any Layer] {
        [ClassifierHeadLayer(embedDim: input.count == 2 ? input[1] : 0, classes: line.int("classes")!)]
    }

    public let embedDim: Int, classes: Int

    public init(embedDim: Int, classes: Int) {
        (self.embedDim, self.classes) = (embedDim, classes)
    }

    public init(file: LayerArguments) throws(ModelFileError) {
        try self.init(embedDim: file.int("in_features"), classes: file.int("out_features"))
    }

    public var fileArguments: [(key: String, value: LayerValue)] {
        [("in_features", .int(embedDim)), ("out_features", .int(classes))]
    }

    public var name: String { "cls_head(\(embedDim)->\(classes))" }
    public var summary: String { "cls_head \(embedDim)→\(classes)" }
    var dense: DenseLayer { DenseLayer(inFeatures: embedDim, outFeatures: classes) }

    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        guard input.count == 2 else { throw LayerShapeError("expects tokens [count, dim] with a class token first") }
        guard input[1] == embedDim, embedDim > 0, classes > 0 else {
            throw LayerShapeError("expects \(embedDim)-value tokens (in_features=\(input[1]) fits)")
        }
        return [classes]
    }

    public func initialParameters(input: [Int], rng: inout SeededGenerator) -> LayerParameters {
        dense.initialParameters(input: [embedDim], rng: &rng).decayingMatricesOnly()
    }

    public func flops(input: [Int], output: [Int]) -> Int { 2 * embedDim * classes }

    func denseContext(_ context: LayerContext) -> LayerContext {
        var inner = context
        inner.input = [embedDim]
        return inner
    }

    public func forward(_ x: Tensor, parameters: LayerParameters, context: LayerContext) -> Tensor {
        dense.forward(Tokens.classTokenRows(x), parameters: parameters, context: denseContext(context))
    }

    public func forwardTraining(_ x: Tensor, parameters: inout LayerParameters, context: LayerContext,
                                rng: inout SeededGenerator) -> (output: Tensor, saved: any Sendable) {
        let cls = Tokens.classTokenRows(x)
        return (dense.forward(cls, parameters: parameters, context: denseContext(context)), cls)
    }

    public func backward(_ dy: Tensor, saved: any Sendable, parameters: LayerParameters, context: LayerContext)
        -> (input: Tensor?, parameters: LayerParameters) {
        let g = dense.backward(dy, saved: saved, parameters: parameters, context: denseContext(context))
        guard let dCls = g.input else { return (nil, g.parameters) }
        return (Tokens.classTokenRowsBackward(outputGradient: dCls, tokens: context.input[0]), g.parameters)
    }
}
