import Foundation
import Tensor

/// Four small MNIST-format IDX files (raw, uncompressed: the loader takes raw or gzip) in a fresh temporary
/// folder: enough for the runner's own behaviour, no real MNIST needed. By default random 28x28 images and labels,
/// from which nothing can be learnt (tests must not look at accuracy); with `learnable`, class `c` is a bright
/// 6x6 block at a place of its own on faint noise, which a small model learns in one epoch, for tests whose
/// behaviour depends on the model being right or wrong (the retrain gate).
public final class SyntheticMNIST: Sendable {
    public let directory: URL

    public init(train: Int = 200, test: Int = 100, seed: UInt64 = 1, learnable: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-mnist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The project's seeded generator: the same files on every run of the tests.
        var rng = SeededGenerator(seed: seed)
        func next() -> UInt8 { UInt8(truncatingIfNeeded: rng.next()) }
        for (prefix, count) in [("train", train), ("t10k", test)] {
            let labels = (0..<count).map { i in learnable ? UInt8(i % 10) : next() % 10 }
            let pixels = learnable
                ? labels.flatMap { Self.digit(Int($0)).enumerated().map { $1 == 0 ? next() >> 3 : $1 } }
                : (0..<(count * 28 * 28)).map { _ in next() }
            try Data(IDXFixture.imagesFile(pixels, count: count))
                .write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(IDXFixture.labelsFile(labels))
                .write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Class `label` of the learnable images, without noise: 255 on the class's block, 0 elsewhere.
    public static func digit(_ label: Int) -> [UInt8] {
        let top = 4 + (label / 5) * 12, left = 2 + (label % 5) * 5
        return (0..<(28 * 28)).map { p in
            (top..<(top + 6)).contains(p / 28) && (left..<(left + 6)).contains(p % 28) ? 255 : 0
        }
    }

    /// `STEPWISE_DATA` pointing at the files.
    public var environment: [String: String] { ["STEPWISE_DATA": directory.path] }

    /// Overrides that fit the train workflow to these files: 200 images, 50 held out, `epochs` epochs.
    public static func trainOverrides(epochs: Int = 1) -> [String] {
        ["--set", "load.limit=200", "--set", "load.test_limit=100", "--set", "preprocess.validation=50",
         "--set", "train.epochs=\(epochs)"]
    }
}
