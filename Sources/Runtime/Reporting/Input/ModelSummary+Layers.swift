import NeuralNet
import Tensor

extension ModelSummary {
    /// The table of a layer list: each layer's output shape, its parameter count as PyTorch counts it (batch-norm
    /// running statistics are buffers, not parameters) and the FLOPs of the layers that do matrix products,
    /// all as the layers themselves report them.
    public init(layers: [LayerSpec], input: [Int] = [1, 28, 28]) throws(ReportError) {
        let shapes: [[Int]]
        do {
            shapes = try LayerSpec.shapes(of: layers, input: input)
        } catch {
            throw ReportError(kind: .invalidInput, subject: "layers", detail: error.message)
        }
        var rows: [Row] = []
        var flops = 0
        for (i, spec) in layers.enumerated() {
            let layerInput = i == 0 ? input : shapes[i - 1]
            var rng = SeededGenerator(seed: 0)
            let parameters = spec.layer.initialParameters(input: layerInput, rng: &rng).trainableCount
            flops += spec.layer.flops(input: layerInput, output: shapes[i])
            rows.append(Row(name: spec.layer.summary, outputShape: shapes[i], parameters: parameters))
        }
        self.init(rows: rows, totalParameters: rows.reduce(0) { $0 + $1.parameters }, flopsPerImage: flops)
    }

    /// The table of a built model.
    public init(model: Model) {
        let rows = model.layerSummaries().map { Row(name: $0.name, outputShape: $0.outputShape, parameters: $0.parameters) }
        self.init(rows: rows, totalParameters: model.parameterCount, flopsPerImage: model.flopsPerImage)
    }
}
