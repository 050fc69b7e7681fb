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
        for (i, layer) in layers.enumerated() {
            if case .batchnorm1d = layer {} else if case .batchnorm2d = layer {} else { continue }
            file.entries["layers.\(i).num_batches_tracked"] = TensorEntry(dtype: .i64, shape: [],
                                                                          data: Data(count: 8))
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
            let slots: [(String, WritableKeyPath<LayerParameters, Tensor?>)] =
                [("weight", \.weight), ("bias", \.bias), ("running_mean", \.runningMean), ("running_var", \.runningVar)]
            for (suffix, key) in slots {
                guard let expected = model.parameters[i][keyPath: key] else { continue }
                let name = "layers.\(i).\(suffix)"
                guard let entry = file.entries[name] else {
                    throw ModelFileError("tensor '\(name)' is missing (layer \(i) is \(layers[i].name))")
                }
                guard entry.dtype == .f32 else {
                    throw ModelFileError("tensor '\(name)' is \(entry.dtype.rawValue); model tensors must be F32")
                }
                guard entry.shape == expected.shape else {
                    throw ModelFileError("tensor '\(name)' has shape \(entry.shape) but layer \(i) "
                                         + "(\(layers[i].name)) needs \(expected.shape)")
                }
                let tensor = try file.tensor(name)
                guard tensor.scalars.allSatisfy(\.isFinite) else {
                    throw ModelFileError("tensor '\(name)' contains NaN or infinite values")
                }
                model.parameters[i][keyPath: key] = tensor
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
    /// The layer as a JSON object with PyTorch's argument names, keys in a fixed order.
    var json: String {
        switch self {
        case let .conv2d(i, o, k, s, p):
            "{\"type\":\"conv2d\",\"in_channels\":\(i),\"out_channels\":\(o),\"kernel_size\":\(k),\"stride\":\(s),\"padding\":\(p)}"
        case .relu: "{\"type\":\"relu\"}"
        case .gelu: "{\"type\":\"gelu\"}"
        case let .maxpool2d(k, s): "{\"type\":\"maxpool2d\",\"kernel_size\":\(k),\"stride\":\(s)}"
        case let .dropout(p): "{\"type\":\"dropout\",\"p\":\(p)}"
        case .flatten: "{\"type\":\"flatten\"}"
        case let .dense(i, o): "{\"type\":\"dense\",\"in_features\":\(i),\"out_features\":\(o)}"
        case let .batchnorm1d(n, eps, m): "{\"type\":\"batchnorm1d\",\"num_features\":\(n),\"eps\":\(eps),\"momentum\":\(m)}"
        case let .batchnorm2d(n, eps, m): "{\"type\":\"batchnorm2d\",\"num_features\":\(n),\"eps\":\(eps),\"momentum\":\(m)}"
        }
    }

    init(json obj: [String: Any], index: Int) throws {
        guard let type = obj["type"] as? String else {
            throw ModelFileError("layer \(index) in \(Model.layersKey) has no \"type\"")
        }
        func int(_ key: String, default value: Int? = nil) throws -> Int {
            if let n = obj[key] as? NSNumber, n.doubleValue == n.doubleValue.rounded() { return n.intValue }
            if obj[key] == nil, let value { return value }
            throw ModelFileError("layer \(index) (\(type)) needs an integer \"\(key)\"")
        }
        func float(_ key: String, default value: Float) throws -> Float {
            if let n = obj[key] as? NSNumber { return n.floatValue }
            if obj[key] == nil { return value }
            throw ModelFileError("layer \(index) (\(type)): \"\(key)\" must be a number")
        }
        switch type {
        case "conv2d":
            self = try .conv2d(inChannels: int("in_channels"), outChannels: int("out_channels"),
                               kernelSize: int("kernel_size"), stride: int("stride", default: 1),
                               padding: int("padding", default: 0))
        case "relu": self = .relu
        case "gelu": self = .gelu
        case "maxpool2d":
            let k = try int("kernel_size")
            self = try .maxpool2d(kernelSize: k, stride: int("stride", default: k))
        case "dropout": self = try .dropout(p: float("p", default: 0.5))
        case "flatten": self = .flatten
        case "dense", "linear": self = try .dense(inFeatures: int("in_features"), outFeatures: int("out_features"))
        case "batchnorm1d":
            self = try .batchnorm1d(numFeatures: int("num_features"), eps: float("eps", default: 1e-5),
                                    momentum: float("momentum", default: 0.1))
        case "batchnorm2d":
            self = try .batchnorm2d(numFeatures: int("num_features"), eps: float("eps", default: 1e-5),
                                    momentum: float("momentum", default: 0.1))
        default:
            throw ModelFileError("layer \(index) has unknown type \"\(type)\" (known: conv2d, relu, gelu, maxpool2d, "
                                 + "dropout, flatten, dense, batchnorm1d, batchnorm2d)")
        }
    }
}
