import Foundation
import Imaging
import NeuralNet
import Tensor
import StepwiseErrors

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
    /// Where `predict --explain` wrote the 28x28 image the model saw; absent otherwise.
    public var explained: String?
}

/// A model file that cannot classify digits: it does not take 28x28 grayscale images, does not give 10 outputs,
/// or gives outputs that are not 10 finite probabilities (NaN or infinite weights). `reason` says which.
public struct IncompatibleModel: Error, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public init(path: String, inputShape: [Int]) {
        self.init(path: path, reason: "the model takes \(inputShape.map(String.init).joined(separator: "x")) inputs, "
                      + "not the 1x28x28 digits predict makes")
    }

    public var description: String { "\(path): \(reason)" }
}

/// An image with nothing on it to classify (no contrast, or only specks): refused rather than given a label.
public struct NoInkFound: Error, CustomStringConvertible {
    public var file: String
    public init(file: String) { self.file = file }
    public var description: String { "\(file): no ink found: the image is blank, there is no digit to classify" }
}

/// Classifies image files with a model: MNIST-style preprocessing, then one batched forward pass.
public enum Predictor {
    /// Loads a model file (the loader refuses NaN or infinite weights) and checks that it takes 28x28 grayscale
    /// digits and gives 10 outputs.
    public static func loadModel(_ url: URL) throws -> Model {
        try checked(Model.load(from: url), path: url.path)
    }

    /// The same for a model file already parsed (the server hashes and parses the same bytes, so the hash it
    /// reports is the model it serves). `path` names the file in errors.
    public static func loadModel(_ file: SafeTensors, path: String) throws -> Model {
        do {
            return try checked(Model.load(safeTensors: file), path: path)
        } catch let error as ModelFileError {
            throw ModelFileError("\(path): \(error.message)")
        }
    }

    private static func checked(_ model: Model, path: String) throws -> Model {
        let url = URL(fileURLWithPath: path)
        guard model.inputShape == [1, 28, 28] else { throw IncompatibleModel(path: url.path, inputShape: model.inputShape) }
        guard model.classCount == 10 else {
            throw IncompatibleModel(path: url.path, reason: "the model gives \(model.classCount) outputs, not the 10 digit classes")
        }
        return model
    }

    /// An image after preprocessing, ready for the model.
    public struct Prepared: Sendable {
        public var file: String
        public var digit: [UInt8]
        public var notes: String
        public var original: Data
    }

    /// Reads (PNG or JPEG) and preprocesses one file; errors name the file, and a blank image is refused
    /// (`NoInkFound`). `plain` only resizes the whole image to 28x28 (a baseline to compare MNIST-style
    /// preprocessing with).
    public static func prepare(_ url: URL, plain: Bool = false) throws -> Prepared {
        try prepare(bytes: ImageFile.readBytes(of: url), name: url.path, plain: plain)
    }

    /// The same for an image's bytes (an upload); `name` stands for the file in errors and in `file`.
    public static func prepare(bytes data: Data, name: String, plain: Bool = false) throws -> Prepared {
        let image = try ImageFile.decode(data, name: name)
        let result = DigitPreprocessor.process(image)
        guard !result.report.blank else { throw NoInkFound(file: name) }
        if plain {
            return Prepared(file: name, digit: DigitPreprocessor.plainResize(image),
                            notes: "plain resize of the whole image to 28x28", original: data)
        }
        return Prepared(file: name, digit: result.pixels, notes: result.report.summary, original: data)
    }

    /// Writes each prepared image's 28x28 input, as the model sees it, to `folder` (created if missing) as
    /// `<input file name without its extension>.png`; a name that two inputs share gets `-2`, `-3`… Returns the
    /// files written, in the order of `prepared`.
    public static func explain(_ prepared: [Prepared], in folder: URL) throws -> [URL] {
        try Folder.create(folder)
        var used: Set<String> = []
        return try prepared.map { p in
            let stem = URL(fileURLWithPath: p.file).deletingPathExtension().lastPathComponent
            var name = stem + ".png", n = 1
            while !used.insert(name).inserted {
                n += 1
                name = "\(stem)-\(n).png"
            }
            let url = folder.appendingPathComponent(name)
            try PNG.write(GrayImage(width: DigitPreprocessor.side, height: DigitPreprocessor.side, pixels: p.digit), to: url)
            return url
        }
    }

    /// Classifies prepared images in batches of `batchSize`. A model whose outputs for an image are not 10 finite
    /// probabilities is refused (`IncompatibleModel`, naming `modelPath` and the image) rather than printing NaN.
    public static func classify(_ prepared: [Prepared], model: Model, modelPath: String = "the model", batchSize: Int = 256,
                                threads: Int = 2) throws -> [Prediction] {
        guard !prepared.isEmpty else { return [] }
        let pixels = prepared.flatMap(\.digit)
        let probabilities = model.probabilities(pixels: pixels, count: prepared.count, batchSize: batchSize, threads: threads)
        let classes = probabilities.shape[1]
        guard classes == 10 else {
            throw IncompatibleModel(path: modelPath, reason: "the model gives \(classes) outputs, not the 10 digit classes")
        }
        if let i = (0..<prepared.count).first(where: { i in
            probabilities.scalars[(i * classes)..<((i + 1) * classes)].contains { !$0.isFinite }
        }) {
            throw IncompatibleModel(path: modelPath, reason: "its outputs for \(prepared[i].file) are not 10 finite "
                                        + "probabilities (NaN or infinity); the model is unusable: train it again")
        }
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
        if flatPaper != nil { parts.append("flat paper: nothing flattened") }
        if backgroundFlattened { parts.append("uneven lighting flattened") }
        if inverted { parts.append("inverted (dark ink on light paper)") }
        if specksRemoved > 0 { parts.append("\(specksRemoved) specks removed") }
        if let box = inkBox { parts.append("cropped \(box.width)x\(box.height) at (\(box.x),\(box.y))") }
        if hollowStrokesFilled > 0 {
            parts.append("hollow strokes filled (\(hollowStrokesFilled) hole\(hollowStrokesFilled == 1 ? "" : "s"))")
        }
        if let narrowed { parts.append("a stretched stroke narrowed \(String(format: "%.1f", narrowed))x") }
        if let w = scaledWidth, let h = scaledHeight { parts.append("scaled to \(w)x\(h)") }
        return parts.joined(separator: ", ")
    }
}

extension IncompatibleModel: ExitCoded {
    public var exitCode: Int32 { ExitCode.badData }
}

extension NoInkFound: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}
