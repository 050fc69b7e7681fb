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

extension PreprocessStep: StepKindDefinition {
    static let schema = KindSchema(
        kind: "preprocess",
        summary: "Holds out a validation set from the training images and sets normalisation and augmentation.",
        inputs: [Slot(.dataset, "train", "the images to split")],
        outputs: [Slot(.dataset, "train", "the images trained on"),
                  Slot(.dataset, "validation", "the held-out images")],
        parameters: [
            ParameterSpec("validation", .int(min: 0, max: 30_000), default: .int(5_000),
                          "Images held out for validation (taken after a seeded shuffle)."),
            ParameterSpec("scale", .decimal(.positive), default: .decimal(1.0 / 255.0),
                          "Pixel scale: input = (pixel * scale - mean) / std."),
            ParameterSpec("mean", .decimal(.any), default: .decimal(0.1307), "Mean subtracted after scaling."),
            ParameterSpec("std", .decimal(.positive), default: .decimal(0.3081), "Standard deviation divided by."),
            ParameterSpec("augment", .bool, default: .bool(true),
                          "Randomly shift, rotate and zoom training images each epoch."),
        ] + PreprocessStep.augmentationParameters(shift: 2, rotation: 10, zoom: 0.1),
        usesSeed: true, usesThreads: false)

    /// Augmentation parameters shared by preprocess and augment-with-feedback, with their own defaults.
    static func augmentationParameters(shift: Int, rotation: Double, zoom: Double) -> [ParameterSpec] {
        [
            ParameterSpec("shift", .int(min: 0, max: 8), default: .int(shift),
                          "Largest random shift of an augmented image, in pixels."),
            ParameterSpec("rotation", .decimal(.closed(0, 45)), default: .decimal(rotation),
                          "Largest random rotation of an augmented image, in degrees."),
            ParameterSpec("zoom", .decimal(.closed(0, 0.5)), default: .decimal(zoom),
                          "Largest random zoom of an augmented image, as a fraction (0.1 is ±10%)."),
        ]
    }

    /// A validation split larger than what load keeps would only fail after load ran.
    static func check(_ step: Step, in workflow: Workflow) -> [Diagnostic] {
        guard let source = step.inputs.first?.producer, let load = workflow.step(named: source), load.kind == LoadStep.schema.kind,
              step.int("validation") >= load.int("limit") else { return [] }
        return [step.diagnostic("validation holds out \(step.int("validation")) images but step \(load.name) keeps only "
            + "\(load.int("limit")) (its limit); lower \(step.name).validation or raise \(load.name).limit", at: nil)]
    }

    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        try run(step, input: inputs.dataset(0), context: context)
    }
}
