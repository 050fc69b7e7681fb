import Foundation
import Testing
import Tensor
@testable import NeuralNet

/// The layers that turn an image into tokens and tokens into class scores: gradients against finite
/// differences, the patch embedding against a naive oracle, and model files.
struct TokenLayerTests {
    static let patch = LayerSpec(PatchEmbeddingLayer(inChannels: 1, embedDim: 3, patchSize: 2))

    @Test func patchEmbeddingGradients() throws {
        try GradientTests.check([Self.patch, .flatten, .dense(inFeatures: 12, outFeatures: 3)], input: [1, 4, 4],
                                batch: 3)
    }

    @Test func classTokenAndPositionGradients() throws {
        try GradientTests.check([Self.patch, LayerSpec(ClassTokenLayer(embedDim: 3)),
                                 LayerSpec(PositionEmbeddingLayer(tokens: 5, embedDim: 3)), .flatten,
                                 .dense(inFeatures: 15, outFeatures: 3)], input: [1, 4, 4], batch: 3)
    }

    @Test func classifierHeadGradients() throws {
        try GradientTests.check([Self.patch, LayerSpec(ClassTokenLayer(embedDim: 3)),
                                 LayerSpec(PositionEmbeddingLayer(tokens: 5, embedDim: 3)),
                                 LayerSpec(ClassifierHeadLayer(embedDim: 3, classes: 4))], input: [1, 4, 4], batch: 3)
    }

    /// Token t = patch (row t / 3, column t % 3) of a 6x6 two-channel image, as timm's `flatten(2).transpose(1, 2)`.
    @Test func patchEmbeddingMatchesNaivePatches() throws {
        let layer = PatchEmbeddingLayer(inChannels: 2, embedDim: 4, patchSize: 2)
        let model = try Model(layers: [LayerSpec(layer), .flatten, .dense(inFeatures: 36, outFeatures: 2)],
                              inputShape: [2, 6, 6], normalization: InputNormalization(), seed: 5)
        let (n, c, side, p, d) = (2, 2, 6, 2, 4)
        let x = GradientTests.batch([n, c, side, side], seed: 11)
        let context = model.context(0, batch: n, threads: 2)
        let y = layer.forward(x, parameters: model.parameters[0], context: context)
        #expect(y.shape == [n, 9, d])
        let w = try #require(model.parameters[0]["proj.weight"]), b = try #require(model.parameters[0]["proj.bias"])
        #expect(w.shape == [d, c, p, p] && b.shape == [d])
        for image in 0..<n {
            for t in 0..<9 {
                for o in 0..<d {
                    var sum = Double(b.scalars[o])
                    for ch in 0..<c {
                        for i in 0..<p {
                            for j in 0..<p {
                                let row = (t / 3) * p + i, col = (t % 3) * p + j
                                sum += Double(w.scalars[((o * c + ch) * p + i) * p + j])
                                    * Double(x.scalars[((image * c + ch) * side + row) * side + col])
                            }
                        }
                    }
                    #expect(abs(Double(y.scalars[(image * 9 + t) * d + o]) - sum) < 1e-5)
                }
            }
        }
    }

    @Test func shapesAndNames() throws {
        let layers: [LayerSpec] = [
            LayerSpec(PatchEmbeddingLayer(inChannels: 1, embedDim: 8, patchSize: 7)), LayerSpec(ClassTokenLayer(embedDim: 8)),
            LayerSpec(PositionEmbeddingLayer(tokens: 17, embedDim: 8)), LayerSpec(ClassifierHeadLayer(embedDim: 8, classes: 10)),
        ]
        let model = try Model(layers: layers, inputShape: [1, 28, 28], normalization: InputNormalization(), seed: 1)
        #expect(model.shapes == [[16, 8], [17, 8], [17, 8], [10]])
        #expect(model.parameters.map { $0.entries.map(\.name) }
                == [["proj.weight", "proj.bias"], ["cls_token"], ["pos_embed"], ["weight", "bias"]])
        #expect(model.parameters[1]["cls_token"]!.shape == [1, 1, 8])
        #expect(model.parameters[2]["pos_embed"]!.shape == [1, 17, 8])
        #expect(model.parameterCount == 8 * 49 + 8 + 8 + 17 * 8 + 8 * 10 + 10)
        #expect(model.flopsPerImage == 2 * 16 * 8 * 49 + 2 * 8 * 10)
        #expect(throws: ModelError("layer 0 (patch_embed(1->8, 5x5)): 5x5 patches do not tile a 28x28 image, "
                                   + "but its input has shape [1, 28, 28]")) {
            try Model(layers: [LayerSpec(PatchEmbeddingLayer(inChannels: 1, embedDim: 8, patchSize: 5))] + layers.dropFirst(),
                      inputShape: [1, 28, 28], normalization: InputNormalization(), seed: 1)
        }
    }

    @Test func modelFileRoundTrip() throws {
        let layers: [LayerSpec] = [
            LayerSpec(PatchEmbeddingLayer(inChannels: 1, embedDim: 6, patchSize: 4)), LayerSpec(ClassTokenLayer(embedDim: 6)),
            LayerSpec(PositionEmbeddingLayer(tokens: 5, embedDim: 6)), .gelu, LayerSpec(ClassifierHeadLayer(embedDim: 6, classes: 3)),
        ]
        let original = try Model(layers: layers, inputShape: [1, 8, 8], normalization: InputNormalization(), seed: 2)
        let file = original.safeTensors()
        #expect(file.metadata["stepwise.layers"] == "[{\"type\":\"patch_embed\",\"in_channels\":1,\"embed_dim\":6,"
                + "\"patch_size\":4},{\"type\":\"cls_token\",\"embed_dim\":6},{\"type\":\"pos_embed\",\"num_tokens\":5,"
                + "\"embed_dim\":6},{\"type\":\"gelu\"},{\"type\":\"cls_head\",\"in_features\":6,\"out_features\":3}]")
        #expect(Set(file.names) == ["layers.0.proj.weight", "layers.0.proj.bias", "layers.1.cls_token",
                                    "layers.2.pos_embed", "layers.4.weight", "layers.4.bias"])
        let loaded = try Model.load(safeTensors: SafeTensors(data: file.serialized()))
        #expect(loaded.layers == original.layers)
        #expect(loaded.parameters == original.parameters)
        let pixels = (0..<128).map { UInt8($0 * 2) }
        #expect(loaded.probabilities(pixels: pixels, count: 2, batchSize: 2, threads: 1)
                == original.probabilities(pixels: pixels, count: 2, batchSize: 2, threads: 1))
    }
}
