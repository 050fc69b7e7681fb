import Foundation
import Tensor

/// Model files: safetensors whose tensors are PyTorch `state_dict` entries of a `torch.nn.Sequential` named
/// `layers`, with the architecture in `__metadata__["stepwise.layers"]` (PyTorch argument names) and the
/// pixel normalisation in `__metadata__["stepwise.input"]`.
extension Model {
    static let layersKey = "stepwise.layers"
    static let inputKey = "stepwise.input"
    static let inputShapeKey = "stepwise.input_shape"

    /// The container: every tensor of `stateDict()`, `num_batches_tracked` for batch norm (PyTorch's
    /// `load_state_dict` expects it), the architecture, and `metadata` (which may not override those keys).
    public func safeTensors(metadata: [String: String] = [:]) -> SafeTensors {
        var file = SafeTensors()
        for (name, tensor) in stateDict() { file.set(name, tensor) }
        for (i, spec) in layers.enumerated() {
            for name in spec.layer.unusedInt64Buffers {
                file.entries["layers.\(i).\(name)"] = TensorEntry(dtype: .i64, shape: [], data: Data(count: 8))
            }
        }
        file.metadata = metadata
        file.metadata["format"] = "pt"
        file.metadata[Self.layersKey] = "[" + layers.map(\.json).joined(separator: ",") + "]"
        file.metadata[Self.inputKey] = "{\"scale\":\(normalization.scale),\"mean\":\(normalization.mean),"
            + "\"std\":\(normalization.std)}"
        file.metadata[Self.inputShapeKey] = "[" + inputShape.map(String.init).joined(separator: ",") + "]"
        return file
    }

    /// Writes the model file atomically (temporary file, fsync, rename).
    public func save(to url: URL, metadata: [String: String]) throws {
        try safeTensors(metadata: metadata).write(to: url)
    }

    public static func load(from url: URL) throws -> Model {
        let file: SafeTensors
        do {
            file = try SafeTensors.read(contentsOf: url)
        } catch let error as SafeTensorsError {
            throw ModelFileError("\(url.path): not a readable model file: \(error.message)")
        } catch {
            throw ModelFileError("\(url.path): cannot read: \(error)")
        }
        do {
            return try load(safeTensors: file)
        } catch let error as ModelFileError {
            throw ModelFileError("\(url.path): \(error.message)")
        }
    }

    /// Rebuilds a model from a container, checking that every tensor the architecture needs is present,
    /// Float32, and of the shape the architecture implies.
    public static func load(safeTensors file: SafeTensors) throws -> Model {
        guard let layersText = file.metadata[layersKey] else {
            throw ModelFileError("no __metadata__[\"\(layersKey)\"]: not a Stepwise model file")
        }
        let layers = try parseLayers(layersText)
        var normalization = InputNormalization()
        if let inputText = file.metadata[inputKey] {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(inputText.utf8)) as? [String: Any],
                  let scale = (obj["scale"] as? NSNumber)?.floatValue, let mean = (obj["mean"] as? NSNumber)?.floatValue,
                  let std = (obj["std"] as? NSNumber)?.floatValue, std != 0
            else { throw ModelFileError("__metadata__[\"\(inputKey)\"] must be {\"scale\":…,\"mean\":…,\"std\":…} "
                                        + "with a nonzero std, got \(inputText)") }
            normalization = InputNormalization(scale: scale, mean: mean, std: std)
        }
        var inputShape = [1, 28, 28]
        if let shapeText = file.metadata[inputShapeKey] {
            guard let values = try? JSONSerialization.jsonObject(with: Data(shapeText.utf8)) as? [NSNumber] else {
                throw ModelFileError("__metadata__[\"\(inputShapeKey)\"] must be a JSON array of sizes, got \(shapeText)")
            }
            inputShape = values.map(\.intValue)
        }
        var model: Model
        do {
            model = try Model(layers: layers, inputShape: inputShape, normalization: normalization, seed: 0)
        } catch let error as ModelError {
            throw ModelFileError("the architecture in the file is inconsistent: \(error.message)")
        }
        for i in model.parameters.indices {
            for (k, expected) in model.parameters[i].entries.enumerated() {
                let name = "layers.\(i).\(expected.name)"
                guard let entry = file.entries[name] else {
                    throw ModelFileError("tensor '\(name)' is missing (layer \(i) is \(layers[i].name))")
                }
                guard entry.dtype == .f32 else {
                    throw ModelFileError("tensor '\(name)' is \(entry.dtype.rawValue); model tensors must be F32")
                }
                guard entry.shape == expected.tensor.shape else {
                    throw ModelFileError("tensor '\(name)' has shape \(entry.shape) but layer \(i) "
                                         + "(\(layers[i].name)) needs \(expected.tensor.shape)")
                }
                let tensor = try file.tensor(name)
                guard tensor.scalars.allSatisfy(\.isFinite) else {
                    throw ModelFileError("tensor '\(name)' contains NaN or infinite values")
                }
                model.parameters[i].entries[k].tensor = tensor
            }
        }
        return model
    }

    static func parseLayers(_ text: String) throws -> [LayerSpec] {
        guard let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw ModelFileError("__metadata__[\"\(layersKey)\"] is not a JSON array of layer objects")
        }
        return try array.enumerated().map { i, obj in try LayerSpec(json: obj, index: i) }
    }
}

extension LayerSpec {
    init(json obj: [String: Any], index: Int) throws(ModelFileError) {
        guard let type = obj["type"] as? String else {
            throw ModelFileError("layer \(index) in \(Model.layersKey) has no \"type\"")
        }
        guard let layerType = LayerRegistry.type(named: type) else {
            throw ModelFileError("layer \(index) has unknown type \"\(type)\" (known: "
                                 + LayerRegistry.fileTypes.joined(separator: ", ") + ")")
        }
        do {
            self.init(try layerType.decoded(LayerArguments(object: obj, type: type, index: index)))
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw ModelFileError("layer \(index) (\(type)): \(error)")
        }
    }
}
