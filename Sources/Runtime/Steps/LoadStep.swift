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

    /// The files whose contents the step's cache key covers.
    static func inputFiles(for step: Step, context: StepContext) -> [URL] {
        MNIST.files(in: dataDirectory(for: step, context: context))
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

extension DatasetKind {
    /// The class names of the dataset a run's load step read, from its manifest (a `dataset` parameter); nil for
    /// MNIST, whose classes are the digits themselves.
    static func classNames(in manifest: RunManifest) -> [String]? {
        let names = manifest.steps.lazy.compactMap { $0.parameters.first { $0.key == "dataset" }?.value }
            .compactMap(DatasetKind.init(rawValue:)).first.map(\.classNames)
        return names == DatasetKind.mnist.classNames ? nil : names
    }
}
