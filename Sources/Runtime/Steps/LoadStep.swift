import Datasets
import Foundation
import StepDSL
import Tensor

/// `load -> train_set, test_set`: reads the MNIST (or Fashion-MNIST) IDX files.
enum LoadStep {
    static func dataDirectory(for step: Step, context: StepContext) -> URL {
        step.string("dataset") == "fashion-mnist"
            ? URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
            : context.dataDirectory
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
        context.log("loaded \(train.count) training and \(test.count) test images from \(directory.path)")
        return [.dataset(DatasetValue(images: train)), .dataset(DatasetValue(images: test))]
    }
}
