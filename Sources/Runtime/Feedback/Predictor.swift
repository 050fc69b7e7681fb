import Foundation
import Imaging
import NeuralNet
import Tensor

/// One image's classification, as `stepwise predict --json` prints it.
public struct Prediction: Codable, Sendable {
    public struct Candidate: Codable, Sendable {
        public var label: Int
        public var probability: Double
    }

    public var file: String
    public var label: Int
    public var confidence: Double
    public var probabilities: [Double]
    public var top3: [Candidate]
    /// What preprocessing did to the image (inverted, cropped, …).
    public var preprocessing: String
}

/// A model file that does not take 28x28 grayscale digits.
public struct IncompatibleModel: Error, CustomStringConvertible {
    public var path: String
    public var inputShape: [Int]
    public var description: String {
        "\(path): the model takes \(inputShape.map(String.init).joined(separator: "x")) inputs, not the 1x28x28 digits predict makes"
    }
}

/// Classifies image files with a model: MNIST-style preprocessing, then one batched forward pass.
public enum Predictor {
    /// Loads a model file and checks that it takes 28x28 grayscale digits.
    public static func loadModel(_ url: URL) throws -> Model {
        let model = try Model.load(from: url)
        guard model.inputShape == [1, 28, 28] else { throw IncompatibleModel(path: url.path, inputShape: model.inputShape) }
        return model
    }

    /// An image after preprocessing, ready for the model.
    public struct Prepared: Sendable {
        public var file: String
        public var digit: [UInt8]
        public var notes: String
        public var original: Data
    }

    /// Reads and preprocesses one file; errors name the file. `plain` only resizes the whole image to 28x28
    /// (a baseline to compare MNIST-style preprocessing with).
    public static func prepare(_ url: URL, plain: Bool = false) throws -> Prepared {
        let data = try PNG.readBytes(of: url)
        let image = try PNG.decode(data, name: url.path)
        if plain {
            return Prepared(file: url.path, digit: DigitPreprocessor.plainResize(image),
                            notes: "plain resize of the whole image to 28x28", original: data)
        }
        let result = DigitPreprocessor.process(image)
        return Prepared(file: url.path, digit: result.pixels, notes: result.report.summary, original: data)
    }

    /// Classifies prepared images in batches of `batchSize`.
    public static func classify(_ prepared: [Prepared], model: Model, batchSize: Int = 256, threads: Int = 2) -> [Prediction] {
        guard !prepared.isEmpty else { return [] }
        let pixels = prepared.flatMap(\.digit)
        let probabilities = model.probabilities(pixels: pixels, count: prepared.count, batchSize: batchSize, threads: threads)
        let classes = probabilities.shape[1]
        return prepared.enumerated().map { i, p in
            let row = (0..<classes).map { Double(probabilities.scalars[i * classes + $0]) }
            let ranked = row.indices.sorted { row[$0] > row[$1] }
            return Prediction(file: p.file, label: ranked[0], confidence: row[ranked[0]], probabilities: row,
                              top3: ranked.prefix(3).map { Prediction.Candidate(label: $0, probability: row[$0]) },
                              preprocessing: p.notes)
        }
    }
}

extension DigitReport {
    /// One line on what preprocessing did, e.g. `inverted, cropped 412x380 at (80,61), scaled to 18x20`.
    public var summary: String {
        if unchanged { return "used as is (28x28 white on black)" }
        if blank { return "no ink found: the image is blank" }
        var parts: [String] = []
        if let alphaBackground { parts.append("transparency composited onto \(alphaBackground == 0 ? "black" : "white")") }
        if backgroundFlattened { parts.append("uneven lighting flattened") }
        if inverted { parts.append("inverted (dark ink on light paper)") }
        if specksRemoved > 0 { parts.append("\(specksRemoved) specks removed") }
        if let box = inkBox { parts.append("cropped \(box.width)x\(box.height) at (\(box.x),\(box.y))") }
        if let w = scaledWidth, let h = scaledHeight { parts.append("scaled to \(w)x\(h)") }
        return parts.joined(separator: ", ")
    }
}
