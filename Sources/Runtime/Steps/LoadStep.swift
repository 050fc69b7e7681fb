import Datasets
import Foundation
import StepDSL
import Tensor

/// `load -> train_set, test_set`: reads the MNIST (or Fashion-MNIST) IDX files.
enum LoadStep {
    /// `--data` for either dataset; otherwise MNIST's folder (STEPWISE_DATA, ./data/mnist) or Debian's Fashion-MNIST.
    static func dataDirectory(for step: Step, context: StepContext) -> URL {
        let kind = DatasetKind(rawValue: step.string("dataset")) ?? .mnist
        let withoutFlag = DataLocation.resolve(flag: nil, environment: ProcessInfo.processInfo.environment,
                                               currentDirectory: context.projectRoot).url
        return kind.directory(chosen: context.dataDirectory, withoutFlag: withoutFlag)
    }

    static func run(_ step: Step, context: StepContext) throws -> [ArtifactValue] {
        let directory = dataDirectory(for: step, context: context)
        let train = try MNIST.load(directory: directory, split: .train, limit: step.int("limit"),
                                   expectedContent: context.expectedContent)
        let test = try MNIST.load(directory: directory, split: .test, limit: step.int("test_limit"),
                                  expectedContent: context.expectedContent)
        context.log("loaded \(train.count) training and \(test.count) test images (\(step.string("dataset"))) from \(directory.path)")
        return [.dataset(DatasetValue(images: train)), .dataset(DatasetValue(images: test))]
    }
}

extension LoadStep: StepKindDefinition {
    static let schema = KindSchema(
        kind: "load",
        summary: "Reads a dataset's training and test splits from the data folder (`--data` or `STEPWISE_DATA`).",
        inputs: [],
        outputs: [Slot(.dataset, "train", "the training split"), Slot(.dataset, "test", "the test split")],
        parameters: [
            ParameterSpec("dataset", .choice(["mnist", "fashion-mnist"]), default: .word("mnist"),
                          "Which dataset's four IDX files to read: `mnist` from the data folder, `fashion-mnist` from "
                              + "the folder `--data` names, else /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)."),
            ParameterSpec("limit", .int(min: 1, max: 60_000), default: .int(60_000),
                          "Training images kept (the first ones), for quick runs."),
            ParameterSpec("test_limit", .int(min: 1, max: 10_000), default: .int(10_000),
                          "Test images kept (the first ones)."),
        ],
        reads: .dataFolder,
        usesSeed: false, usesThreads: false)

    /// The four IDX files, named by dataset and role (`mnist train-images`), wherever the data folder is.
    static func inputFiles(of step: Step, context: StepContext) -> [(name: String, url: URL)] {
        let directory = dataDirectory(for: step, context: context)
        return MNIST.FileRole.all.map { role in
            ("\(step.string("dataset")) \(role)", MNIST.locate(role, in: directory) ?? directory.appendingPathComponent(role.canonicalName + ".gz"))
        }
    }

    static func unreadableInput(_ error: FileError) -> any Error {
        DataError(.unreadable, file: error.path, error.reason)
    }

    /// The data a load step needs is there before anything runs (exit 4 otherwise).
    static func checkPresent(_ step: Step, context: StepContext) throws {
        let directory = dataDirectory(for: step, context: context)
        for role in MNIST.FileRole.all {
            _ = try MNIST.file(role, in: directory)
        }
    }

    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        try run(step, context: context)
    }
}

extension DatasetKind {
    /// The class names of the dataset a run's load step read, from its manifest (a `dataset` parameter); nil for
    /// MNIST, whose classes are the digits themselves.
    static func classNames(in manifest: RunManifest) -> [String]? {
        let names = manifest.steps.lazy.compactMap { $0.parameters.first { $0.key == "dataset" }?.value }
            .compactMap(DatasetKind.init(rawValue:)).first.map(\.classNames)
        return names == DatasetKind.mnist.classNames ? nil : names
    }
}
