import Foundation
import Testing
import Tensor
@testable import NeuralNet

struct ModelFileTests {
    static func tempURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-modelfile-\(getpid())-\(name)")
    }

    static func model() throws -> Model {
        try Model(layers: [.conv2d(inChannels: 1, outChannels: 3, kernelSize: 3, stride: 1, padding: 1),
                           .batchnorm2d(numFeatures: 3, eps: 1e-5, momentum: 0.1), .gelu,
                           .maxpool2d(kernelSize: 2, stride: 2), .flatten, .dropout(p: 0.5),
                           .dense(inFeatures: 48, outFeatures: 10)],
                  inputShape: [1, 8, 8], normalization: InputNormalization(scale: 1.0 / 255, mean: 0.5, std: 0.25),
                  seed: 3)
    }

    @Test func roundTripKeepsEverything() throws {
        var original = try Self.model()
        original.parameters[1].runningMean = Tensor(shape: [3], scalars: [0.1, 0.2, 0.3])
        let url = Self.tempURL("roundtrip.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try original.save(to: url, metadata: ["stepwise.note": "test"])
        let loaded = try Model.load(from: url)
        #expect(loaded.layers == original.layers)
        #expect(loaded.inputShape == original.inputShape)
        #expect(loaded.normalization == original.normalization)
        #expect(loaded.parameters == original.parameters)
        let file = try SafeTensors.read(contentsOf: url)
        #expect(file.metadata["stepwise.note"] == "test")
        #expect(file.metadata["stepwise.input"] == "{\"scale\":0.003921569,\"mean\":0.5,\"std\":0.25}")
        #expect(file.metadata["stepwise.layers"]!.hasPrefix(
            "[{\"type\":\"conv2d\",\"in_channels\":1,\"out_channels\":3,\"kernel_size\":3,\"stride\":1,\"padding\":1},"))
        #expect(Set(file.names) == Set(original.stateDict().keys).union(["layers.1.num_batches_tracked"]))
        let pixels = (0..<128).map { UInt8($0 * 2) }
        #expect(loaded.probabilities(pixels: pixels, count: 2, batchSize: 2, threads: 1)
                == original.probabilities(pixels: pixels, count: 2, batchSize: 2, threads: 1))
    }

    @Test func truncatedFileIsRefused() throws {
        let url = Self.tempURL("truncated.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = try Self.model().safeTensors().serialized()
        try bytes.prefix(bytes.count - 10).write(to: url)
        let error = try #require(throws: ModelFileError.self) { try Model.load(from: url) }
        #expect(error.message.hasPrefix(url.path + ": not a readable model file:"))
        #expect(error.message.contains("truncated"))
    }

    @Test func shapeMismatchIsRefused() throws {
        var file = try Self.model().safeTensors()
        file.set("layers.6.weight", Tensor(zeros: [10, 47]))
        #expect(throws: ModelFileError("tensor 'layers.6.weight' has shape [10, 47] but layer 6 (dense(48->10)) needs [10, 48]")) {
            try Model.load(safeTensors: file)
        }
        var missing = try Self.model().safeTensors()
        missing.entries["layers.0.bias"] = nil
        #expect(throws: ModelFileError("tensor 'layers.0.bias' is missing (layer 0 is conv2d(1->3, 3x3, padding 1))")) {
            try Model.load(safeTensors: missing)
        }
        var noLayers = try Self.model().safeTensors()
        noLayers.metadata["stepwise.layers"] = nil
        #expect(throws: ModelFileError("no __metadata__[\"stepwise.layers\"]: not a Stepwise model file")) {
            try Model.load(safeTensors: noLayers)
        }
        var badLayer = try Self.model().safeTensors()
        badLayer.metadata["stepwise.layers"] = "[{\"type\":\"conv3d\"}]"
        let error = try #require(throws: ModelFileError.self) { try Model.load(safeTensors: badLayer) }
        #expect(error.message.hasPrefix("layer 0 has unknown type \"conv3d\""))
    }
}
