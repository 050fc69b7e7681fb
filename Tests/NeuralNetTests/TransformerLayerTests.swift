import Foundation
import Testing
import Tensor
@testable import NeuralNet

/// Layer norm, multi-head self-attention and the encoder block: gradients against finite differences (every
/// parameter, through the input gradients of the layers after it), parameter names and shapes as timm's, files.
struct TransformerLayerTests {
    static let patch = LayerSpec(PatchEmbeddingLayer(inChannels: 1, embedDim: 4, patchSize: 2))

    @Test func layerNormGradients() throws {
        try GradientTests.check([Self.patch, LayerSpec(LayerNormLayer(features: 4)), .flatten,
                                 .dense(inFeatures: 16, outFeatures: 3)], input: [1, 4, 4], batch: 3)
    }

    @Test func attentionGradients() throws {
        try GradientTests.check([Self.patch, LayerSpec(MultiHeadAttentionLayer(embedDim: 4, heads: 2)), .flatten,
                                 .dense(inFeatures: 16, outFeatures: 3)], input: [1, 4, 4], batch: 3)
    }

    @Test func encoderBlockGradients() throws {
        try GradientTests.check([Self.patch, LayerSpec(ClassTokenLayer(embedDim: 4)),
                                 LayerSpec(PositionEmbeddingLayer(tokens: 5, embedDim: 4)),
                                 LayerSpec(EncoderBlockLayer(embedDim: 4, heads: 2, mlpDim: 6, dropout: 0.2)),
                                 LayerSpec(LayerNormLayer(features: 4)),
                                 LayerSpec(ClassifierHeadLayer(embedDim: 4, classes: 3))], input: [1, 4, 4], batch: 3)
    }

    @Test func blockParametersAreTimms() throws {
        let block = EncoderBlockLayer(embedDim: 8, heads: 2, mlpDim: 32)
        var rng = SeededGenerator(seed: 1)
        let p = block.initialParameters(input: [5, 8], rng: &rng)
        #expect(p.entries.map(\.name) == ["norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias",
                                         "attn.proj.weight", "attn.proj.bias", "norm2.weight", "norm2.bias",
                                         "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"])
        #expect(p.entries.map(\.tensor.shape) == [[8], [8], [24, 8], [24], [8, 8], [8], [8], [8], [32, 8], [32],
                                                [8, 32], [8]])
        #expect(p.trainableCount == 2 * 8 + 24 * 8 + 24 + 64 + 8 + 2 * 8 + 32 * 8 + 32 + 8 * 32 + 8)
        #expect(throws: LayerShapeError("3 heads do not divide the token size 8")) {
            try EncoderBlockLayer(embedDim: 8, heads: 3, mlpDim: 32).outputShape(for: [5, 8])
        }
    }

    /// Evaluation is the training pass without dropout: with dropout 0 the two give the same numbers.
    @Test func evaluationMatchesTrainingWithoutDropout() throws {
        let layers: [LayerSpec] = [Self.patch, LayerSpec(ClassTokenLayer(embedDim: 4)),
                                   LayerSpec(EncoderBlockLayer(embedDim: 4, heads: 2, mlpDim: 8)),
                                   LayerSpec(ClassifierHeadLayer(embedDim: 4, classes: 3))]
        var model = try Model(layers: layers, inputShape: [1, 4, 4], normalization: InputNormalization(), seed: 4)
        let x = GradientTests.batch([2, 1, 4, 4], seed: 8)
        var rng = SeededGenerator(seed: 1)
        let trained = model.forwardTraining(x, rng: &rng, threads: 2).logits
        #expect(model.forwardEval(x, threads: 2) == trained)
    }

    @Test func modelFileRoundTrip() throws {
        let layers: [LayerSpec] = [Self.patch, LayerSpec(ClassTokenLayer(embedDim: 4)),
                                   LayerSpec(PositionEmbeddingLayer(tokens: 5, embedDim: 4)),
                                   LayerSpec(EncoderBlockLayer(embedDim: 4, heads: 2, mlpDim: 8, dropout: 0.1)),
                                   LayerSpec(MultiHeadAttentionLayer(embedDim: 4, heads: 4)),
                                   LayerSpec(LayerNormLayer(features: 4)),
                                   LayerSpec(ClassifierHeadLayer(embedDim: 4, classes: 3))]
        let original = try Model(layers: layers, inputShape: [1, 4, 4], normalization: InputNormalization(), seed: 2)
        let file = original.safeTensors()
        #expect(file.metadata["stepwise.layers"]!.contains(
            #"{"type":"encoder_block","embed_dim":4,"num_heads":2,"mlp_hidden_dim":8,"drop":0.1},"#
            + #"{"type":"attention","embed_dim":4,"num_heads":4},{"type":"layernorm","normalized_shape":4,"eps":1e-06}"#))
        #expect(file.names.contains("layers.3.attn.qkv.weight") && file.names.contains("layers.4.proj.bias"))
        let loaded = try Model.load(safeTensors: SafeTensors(data: file.serialized()))
        #expect(loaded.layers == original.layers)
        #expect(loaded.parameters == original.parameters)
    }
}
