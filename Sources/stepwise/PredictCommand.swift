import ArgumentParser
import Foundation
import Imaging
import NeuralNet
import Runtime
import StepwiseErrors

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify digit images: label, confidence and the top 3.",
        discussion: """
            Images of any size and polarity are brought to MNIST's form first (transparency composited, dark ink \
            on light paper inverted, cropped to the ink, fitted into 20x20, centred by mass in 28x28). A 28x28 \
            white-on-black image is used as it is. `--preprocess plain` only resizes the whole image to 28x28, as \
            a baseline to compare with. Files that cannot be read are reported and the rest are still classified; \
            the exit code is then 1. A blank image (no ink found) is refused the same way, with exit code 2 when \
            every refused file was blank. A model that does not give 10 finite probabilities is refused (exit 4). \
            Images are PNG or JPEG (told apart by their first bytes; a JPEG's EXIF orientation is honoured). \
            `--explain DIR` writes the 28x28 image the model saw for each input to DIR/<input name>.png.
            """
    )

    /// How an image is brought to the model's 28x28 input.
    enum Preprocessing: String, ExpressibleByArgument, CaseIterable {
        /// MNIST's own form: inverted if needed, cropped to the ink, fitted into 20x20, centred by mass.
        case mnist
        /// The whole image resized to 28x28, nothing else.
        case plain
    }

    @Argument(help: ArgumentHelp("PNG or JPEG images.", valueName: "image"))
    var images: [String]

    @Option(help: ArgumentHelp("Model file (default: Outputs/models/cnn.safetensors).", valueName: "path"))
    var model: String?

    @Flag(help: "One JSON object per line: file, label, confidence, probabilities, top3.")
    var json = false

    @Option(help: ArgumentHelp("How images become 28x28: mnist (MNIST's form) or plain (resize only, a baseline).",
                               valueName: "mode"))
    var preprocess: Preprocessing = .mnist

    @Option(help: ArgumentHelp("Write the 28x28 image the model saw for each input to this folder, as <input name>.png.",
                               valueName: "dir"))
    var explain: String?

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
    }

    func run() throws {
        let modelURL = model.map { URL(fileURLWithPath: $0) } ?? project.defaultModel
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw CLIError(status: 4, message: "no model at \(modelURL.path): train one with `stepwise run train`, or name one with --model")
        }
        let loaded = try Predictor.loadModel(modelURL)
        var prepared: [Predictor.Prepared] = []
        var failures = 0, blank = 0
        for path in images {
            do {
                prepared.append(try Predictor.prepare(URL(fileURLWithPath: path), plain: preprocess == .plain))
            } catch {
                failures += 1
                if error is NoInkFound { blank += 1 }
                ExitStatusMapping.printLine("error: \(error)")
            }
        }
        var predictions = try Predictor.classify(prepared, model: loaded, modelPath: modelURL.path)
        if let explain {
            let folder = URL(fileURLWithPath: explain, isDirectory: true)
            for (i, url) in try Predictor.explain(prepared, in: folder).enumerated() {
                predictions[i].explained = url.path
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for p in predictions {
            if json {
                print(String(decoding: try encoder.encode(p), as: UTF8.self))
            } else {
                let others = p.top3.dropFirst().map { String(format: "%d %.1f%%", $0.label, $0.probability * 100) }.joined(separator: ", ")
                print(String(format: "%@: %d (%.1f%%); then %@", p.file, p.label, p.confidence * 100, others)
                      + (p.explained.map { "; the model saw \($0)" } ?? ""))
            }
        }
        if failures > 0 {
            throw ExitCode(blank == failures ? 2 : 1)
        }
    }
}

/// An error the command line raises itself, with its exit code.
struct CLIError: Error, CustomStringConvertible {
    var status: Int32
    var message: String
    var description: String { message }
}

extension CLIError: ExitCoded {
    var exitCode: Int32 { status }
}
