import Foundation
import NeuralNet
import Tensor

/// Stores artifacts in a step's cache entry (one safetensors container per step): the tensors of output
/// `slot` are named `slot/…`, and `__metadata__[slot]` is a JSON object describing the rest.
enum ArtifactCodec {
    struct DecodeError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    private struct DatasetHeader: Codable {
        var type = "dataset"
        var height: Int, width: Int
        var scale: Float, mean: Float, std: Float
        var augmentation: Augmentation?
    }

    private struct EvaluationHeader: Codable {
        var type = "evaluation"
        var scores: [ScoredSet]
        var exampleIndices: [String: [Int]]
        var exampleShapes: [String: [Int]]
        var model: ModelSummary
        var feedbackSources: [String]
        var skippedFeedback: [SkippedFeedback]
    }

    private struct FeedbackHeader: Codable {
        var type = "feedback"
        var sources: [String]
        var reportedPredictions: [UInt8]
        var skipped: [SkippedFeedback]
        var height: Int, width: Int
    }

    private struct FilesHeader: Codable {
        var type = "files"
        var paths: [String]
    }

    private struct SavedHeader: Codable {
        var type = "saved"
        var value: SavedValue
    }

    /// AugmentationSpec's fields, spelled out so the engine's type needs no Codable conformance.
    private struct Augmentation: Codable {
        var shift: Int, rotation: Float, zoom: Float
        init(_ a: AugmentationSpec) { shift = a.maxShift; rotation = a.maxRotationDegrees; zoom = a.maxZoom }
        var spec: AugmentationSpec { AugmentationSpec(maxShift: shift, maxRotationDegrees: rotation, maxZoom: zoom) }
    }

    private struct Typed: Codable { var type: String }

    static func encode(_ value: ArtifactValue, slot: String, into entry: inout SafeTensors) throws {
        let p = "\(slot)/"
        switch value {
        case .dataset(let d):
            putImages(d.images, prefix: p, into: &entry)
            let n = d.normalization
            entry.metadata[slot] = try json(DatasetHeader(height: d.images.height, width: d.images.width,
                                                          scale: n.scale, mean: n.mean, std: n.std,
                                                          augmentation: d.augmentation.map(Augmentation.init)))
        case .model(let model):
            let file = model.safeTensors(metadata: [:])
            for (name, tensor) in file.entries { entry.entries[p + name] = tensor }
            var meta: [String: String] = ["type": "model"]
            for (k, v) in file.metadata { meta[k] = v }
            entry.metadata[slot] = try json(meta)
        case .history(let epochs):
            entry.metadata[slot] = try json(["type": "history", "epochs": String(decoding: JSONEncoder().encode(epochs), as: UTF8.self)])
        case .evaluation(let e):
            var shapes: [String: [Int]] = [:]
            for (name, set) in e.examples {
                putImages(set, prefix: "\(p)\(name)/", into: &entry)
                shapes[name] = [set.height, set.width]
            }
            entry.metadata[slot] = try json(EvaluationHeader(scores: e.scores, exampleIndices: e.exampleIndices, exampleShapes: shapes,
                                                             model: e.model, feedbackSources: e.feedbackSources,
                                                             skippedFeedback: e.skippedFeedback))
        case .files(let f):
            entry.metadata[slot] = try json(FilesHeader(paths: f.paths))
        case .feedback(let f):
            putImages(f.images, prefix: p, into: &entry)
            entry.metadata[slot] = try json(FeedbackHeader(sources: f.sources, reportedPredictions: f.reportedPredictions,
                                                           skipped: f.skipped, height: f.images.height, width: f.images.width))
        case .saved(let s):
            entry.metadata[slot] = try json(SavedHeader(value: s))
        }
    }

    static func decode(slot: String, from entry: SafeTensors) throws -> ArtifactValue {
        guard let text = entry.metadata[slot], let data = text.data(using: .utf8) else {
            throw DecodeError(message: "cache entry has no artifact '\(slot)'")
        }
        let p = "\(slot)/"
        let decoder = JSONDecoder()
        switch try decoder.decode(Typed.self, from: data).type {
        case "dataset":
            let h = try decoder.decode(DatasetHeader.self, from: data)
            let images = try getImages(prefix: p, height: h.height, width: h.width, from: entry)
            return .dataset(DatasetValue(images: images, normalization: InputNormalization(scale: h.scale, mean: h.mean, std: h.std),
                                         augmentation: h.augmentation?.spec))
        case "model":
            var meta = try decoder.decode([String: String].self, from: data)
            meta["type"] = nil
            var file = SafeTensors(metadata: meta)
            for (name, tensor) in entry.entries where name.hasPrefix(p) {
                file.entries[String(name.dropFirst(p.count))] = tensor
            }
            return .model(try Model.load(safeTensors: file))
        case "history":
            let meta = try decoder.decode([String: String].self, from: data)
            return .history(try decoder.decode([EpochMetrics].self, from: Data((meta["epochs"] ?? "[]").utf8)))
        case "evaluation":
            let h = try decoder.decode(EvaluationHeader.self, from: data)
            var examples: [String: ImageSet] = [:]
            for (name, shape) in h.exampleShapes {
                examples[name] = try getImages(prefix: "\(p)\(name)/", height: shape[0], width: shape[1], from: entry)
            }
            return .evaluation(EvaluationValue(scores: h.scores, examples: examples, exampleIndices: h.exampleIndices,
                                               model: h.model, feedbackSources: h.feedbackSources,
                                               skippedFeedback: h.skippedFeedback))
        case "files":
            return .files(FilesValue(paths: try decoder.decode(FilesHeader.self, from: data).paths))
        case "feedback":
            let h = try decoder.decode(FeedbackHeader.self, from: data)
            let images = try getImages(prefix: p, height: h.height, width: h.width, from: entry)
            return .feedback(FeedbackValue(images: images, sources: h.sources, reportedPredictions: h.reportedPredictions, skipped: h.skipped))
        case "saved":
            return .saved(try decoder.decode(SavedHeader.self, from: data).value)
        case let other:
            throw DecodeError(message: "cache entry holds an artifact of unknown type '\(other)'")
        }
    }

    private static func putImages(_ set: ImageSet, prefix: String, into entry: inout SafeTensors) {
        entry.set(prefix + "pixels", bytes: set.pixels, shape: [set.count, set.height, set.width])
        entry.set(prefix + "labels", bytes: set.labels, shape: [set.count])
    }

    private static func getImages(prefix: String, height: Int, width: Int, from entry: SafeTensors) throws -> ImageSet {
        let pixels = try entry.bytes(prefix + "pixels").bytes
        let labels = try entry.bytes(prefix + "labels").bytes
        guard pixels.count == labels.count * height * width else {
            throw DecodeError(message: "cache entry '\(prefix)': \(pixels.count) pixels for \(labels.count) images")
        }
        return ImageSet(pixels: pixels, labels: labels, height: height, width: width)
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
