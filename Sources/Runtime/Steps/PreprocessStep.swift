import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `preprocess train_set -> train_data, val_data`: input scaling, a seeded validation split, augmentation settings.
enum PreprocessStep {
    static func run(_ step: Step, input: DatasetValue, context: StepContext) throws -> [ArtifactValue] {
        let images = input.images
        let held = step.int("validation")
        guard held < images.count else {
            throw StepFailure("validation holds out \(held) images but the training set has only \(images.count); lower `validation` or raise load's `limit`")
        }
        var rng = SeededGenerator(seed: context.seed)
        var order = Array(0..<images.count)
        order.shuffle(using: &rng)
        // Sorted so each part keeps the source order (and its cache bytes do not depend on the shuffle's layout).
        let validation = order.prefix(held).sorted()
        let training = order.dropFirst(held).sorted()
        let normalization = InputNormalization(scale: Float(step.double("scale")),
                                               mean: Float(step.double("mean")),
                                               std: Float(step.double("std")))
        let augmentation: AugmentationSpec? = step.bool("augment")
            ? AugmentationSpec(maxShift: step.int("shift"), maxRotationDegrees: Float(step.double("rotation")),
                               maxZoom: Float(step.double("zoom")))
            : nil
        context.log("split \(images.count) images: \(training.count) for training, \(validation.count) for validation")
        return [
            .dataset(DatasetValue(images: images.subset(training), normalization: normalization, augmentation: augmentation)),
            .dataset(DatasetValue(images: images.subset(validation), normalization: normalization, augmentation: nil)),
        ]
    }
}
