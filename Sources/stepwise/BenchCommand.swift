import ArgumentParser
import Datasets
import Dispatch
import Foundation
import NeuralNet
import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// `stepwise bench`: training and inference speed of a reference model on the first N MNIST images.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training and inference speed of a reference model (m1 or m2) on MNIST."
    )

    enum ReferenceModel: String, ExpressibleByArgument, CaseIterable {
        case m1, m2

        var layers: [LayerSpec] {
            switch self {
            case .m1:
                [.conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, stride: 1, padding: 0), .relu,
                 .conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, stride: 1, padding: 0), .relu,
                 .maxpool2d(kernelSize: 2, stride: 2), .dropout(p: 0.25), .flatten,
                 .dense(inFeatures: 9216, outFeatures: 128), .relu, .dropout(p: 0.5),
                 .dense(inFeatures: 128, outFeatures: 10)]
            case .m2:
                [.conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, stride: 1, padding: 0), .relu,
                 .maxpool2d(kernelSize: 2, stride: 2),
                 .conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, stride: 1, padding: 0), .relu,
                 .maxpool2d(kernelSize: 2, stride: 2), .flatten, .dropout(p: 0.5),
                 .dense(inFeatures: 1600, outFeatures: 10)]
            }
        }

        var batchSize: Int { self == .m1 ? 64 : 128 }
    }

    @Option(help: "Reference model: m1 (two convs, dense 128, batch 64) or m2 (two conv+pool, batch 128).")
    var model: ReferenceModel = .m1

    @Option(help: "Train on the first N training images.")
    var images: Int = 12000

    @Option(help: "Training epochs over those images.")
    var epochs: Int = 1

    @Option(help: "Worker threads (the batch is split into this many shards).")
    var threads: Int = 2

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Flag(help: ArgumentHelp("Time the transformer kernels (layer norm, GELU, attention, the qkv dense layer) on ViT "
                             + "shapes instead of training; needs no data."))
    var kernels = false

    @Option(help: "Folder with the MNIST IDX files (default: $STEPWISE_DATA).")
    var data: String?

    @Option(help: ArgumentHelp("Also write the trained model and its probabilities for the first 100 training "
                               + "images to this folder (model.safetensors, probabilities.json), for peer checks.",
                               valueName: "dir"))
    var export: String?

    func validate() throws {
        guard images > 0 else { throw ValidationError("--images must be positive, got \(images)") }
        guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
        guard threads > 0 else { throw ValidationError("--threads must be positive, got \(threads)") }
    }

    func run() throws {
        if kernels { return runKernels() }
        let dir = DataLocation.resolve(flag: data, environment: ProcessInfo.processInfo.environment,
                                       currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).url
        let train = try MNIST.load(directory: dir, split: .train, limit: images)

        var net = try Model(layers: model.layers, inputShape: [1, 28, 28], normalization: InputNormalization(),
                            seed: 42)
        let config = TrainingConfig(epochs: epochs, batchSize: model.batchSize, optimizer: .adamDefault,
                                    seed: 42, threads: threads)
        let trainStart = DispatchTime.now().uptimeNanoseconds
        _ = try Trainer.fit(&net, train: train, validation: nil, config: config) { _ in }
        let trainSeconds = seconds(since: trainStart)
        let trainRate = Double(train.count * epochs) / trainSeconds

        let inferSet = train.prefix(min(train.count, 5000))
        let batchStart = DispatchTime.now().uptimeNanoseconds
        _ = net.logits(inferSet, batchSize: 1000, threads: threads)
        let batchRate = Double(inferSet.count) / seconds(since: batchStart)

        let singles = train.prefix(min(train.count, 500))
        let singleStart = DispatchTime.now().uptimeNanoseconds
        _ = net.logits(singles, batchSize: 1, threads: threads)
        let singleRate = Double(singles.count) / seconds(since: singleStart)

        if let export {
            let dir = URL(fileURLWithPath: export)
            try net.save(to: dir.appendingPathComponent("model.safetensors"), metadata: ["stepwise.bench": model.rawValue])
            let sample = train.prefix(100)
            let probs = net.probabilities(pixels: sample.pixels, count: sample.count, batchSize: 100, threads: threads)
            let rows = (0..<sample.count).map { i in
                "[" + probs.scalars[(i * 10)..<((i + 1) * 10)].map { "\($0)" }.joined(separator: ",") + "]"
            }
            try AtomicFile.write("{\"first_train_images\":\(sample.count),\"probabilities\":[\n"
                                 + rows.joined(separator: ",\n") + "]}\n",
                                 to: dir.appendingPathComponent("probabilities.json"))
        }

        // Training costs about three forward passes: forward, input gradients, weight gradients.
        let gflops = trainRate * Double(net.flopsPerImage) * 3 / 1e9
        let results: [(String, Double)] = [
            ("train_images_per_second", trainRate),
            ("seconds_per_epoch", 60000 / trainRate),
            ("gflops", gflops),
            ("infer_images_per_second_batch1000", batchRate),
            ("infer_images_per_second_batch1", singleRate),
            ("peak_rss_mb", peakRSSMegabytes()),
        ]
        if json {
            let fields = [("model", quoted(model.rawValue)), ("images", "\(train.count)"), ("epochs", "\(epochs)"),
                          ("threads", "\(threads)"), ("cpu", quoted(Engine.cpuModel)),
                          ("kernels", quoted(KernelPath.current.rawValue)), ("openblas", quoted(Engine.blasCore)),
                          ("engine", "\(Engine.numericsVersion)")]
                + results.map { ($0.0, String(format: "%.2f", $0.1)) }
            print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
        } else {
            print("model \(model.rawValue): \(train.count) images x \(epochs) epochs, \(threads) threads, "
                  + "\(net.parameterCount) parameters, \(net.flopsPerImage) forward FLOPs/image")
            print("cpu \(Engine.cpuModel): \(Engine.identity)")
            for (name, value) in results { print(name.padding(toLength: 36, withPad: " ", startingAt: 0)
                                               + String(format: "%.2f", value)) }
        }
    }

    /// `--kernels`: one line per kernel and shape (JSON lines with `--json`).
    private func runKernels() {
        Parallel.useSingleThreadedBLAS()
        Parallel.retainFreedMemory()
        if !json { print("cpu \(Engine.cpuModel): \(Engine.identity), \(threads) threads") }
        for shape in TransformerBenchmark.defaultShapes {
            for t in TransformerBenchmark.run(shape, threads: threads) {
                if json {
                    let fields = [("shape", quoted("\(shape)")), ("kernel", quoted(t.kernel)), ("threads", "\(threads)"),
                                  ("cpu", quoted(Engine.cpuModel)), ("kernels", quoted(KernelPath.current.rawValue)),
                                  ("milliseconds", String(format: "%.4f", t.milliseconds)),
                                  ("elements_per_second", String(format: "%.0f", t.elementsPerSecond))]
                    print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
                } else {
                    print("\(shape)  " + t.kernel.padding(toLength: 20, withPad: " ", startingAt: 0)
                          + String(format: "%9.3f ms  %8.1f M elements/s", t.milliseconds, t.elementsPerSecond / 1e6))
                }
            }
        }
    }

    /// A JSON string literal.
    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}
