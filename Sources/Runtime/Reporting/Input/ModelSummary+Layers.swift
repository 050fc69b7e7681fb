import NeuralNet

extension ModelSummary {
    /// Derives the table from a layer list: output shapes by propagating `input` (channels, height, width)
    /// through the layers, parameter counts as PyTorch counts them (batch-norm running statistics are buffers,
    /// not parameters), and FLOPs from the multiply-adds of convolutions and dense layers (activations and
    /// pooling are left out, as is usual).
    public init(layers: [LayerSpec], input: [Int] = [1, 28, 28]) throws(ReportError) {
        var shape = input
        var rows: [Row] = []
        var flops = 0
        func fail(_ index: Int, _ detail: String) -> ReportError {
            ReportError(kind: .invalidInput, subject: "layer \(index)", detail: detail)
        }
        func shapeText(_ s: [Int]) -> String { s.map(String.init).joined(separator: "x") }
        for (index, layer) in layers.enumerated() {
            let name: String
            var parameters = 0
            switch layer {
            case let .conv2d(inChannels, outChannels, kernel, stride, padding):
                guard shape.count == 3, shape[0] == inChannels else {
                    throw fail(index, "conv2d expects \(inChannels) input channels, gets shape \(shapeText(shape))")
                }
                let height = (shape[1] + 2 * padding - kernel) / max(1, stride) + 1
                let width = (shape[2] + 2 * padding - kernel) / max(1, stride) + 1
                guard height > 0, width > 0 else {
                    throw fail(index, "kernel \(kernel) does not fit input \(shapeText(shape))")
                }
                shape = [outChannels, height, width]
                parameters = outChannels * inChannels * kernel * kernel + outChannels
                flops += 2 * inChannels * kernel * kernel * outChannels * height * width
                name = "conv2d \(inChannels)→\(outChannels) \(kernel)x\(kernel)"
                    + (stride == 1 ? "" : " stride \(stride)") + (padding == 0 ? "" : " pad \(padding)")
            case .relu:
                name = "relu"
            case .gelu:
                name = "gelu"
            case let .maxpool2d(kernel, stride):
                guard shape.count == 3, shape[1] >= kernel, shape[2] >= kernel else {
                    throw fail(index, "maxpool2d \(kernel) needs a channels x height x width input of at least "
                        + "\(kernel)x\(kernel), gets \(shapeText(shape))")
                }
                shape = [shape[0], (shape[1] - kernel) / max(1, stride) + 1, (shape[2] - kernel) / max(1, stride) + 1]
                name = "maxpool2d \(kernel)" + (stride == kernel ? "" : " stride \(stride)")
            case let .dropout(p):
                name = "dropout \(p)"
            case .flatten:
                shape = [shape.reduce(1, *)]
                name = "flatten"
            case let .dense(inFeatures, outFeatures):
                guard shape == [inFeatures] else {
                    throw fail(index, "dense expects \(inFeatures) features, gets shape \(shapeText(shape))")
                }
                shape = [outFeatures]
                parameters = inFeatures * outFeatures + outFeatures
                flops += 2 * inFeatures * outFeatures
                name = "dense \(inFeatures)→\(outFeatures)"
            case let .batchnorm1d(features, _, _), let .batchnorm2d(features, _, _):
                guard shape.first == features else {
                    throw fail(index, "batch norm over \(features) features, gets shape \(shapeText(shape))")
                }
                parameters = 2 * features
                name = (shape.count == 1 ? "batchnorm1d " : "batchnorm2d ") + String(features)
            }
            rows.append(Row(name: name, outputShape: shape, parameters: parameters))
        }
        self.init(rows: rows, totalParameters: rows.reduce(0) { $0 + $1.parameters }, flopsPerImage: flops)
    }
}
