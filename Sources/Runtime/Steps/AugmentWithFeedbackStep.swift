import Foundation
import Imaging
import NeuralNet
import StepDSL
import Tensor

/// `augment-with-feedback train_set -> mixed, feedback`: reads incorrect_predictions/, oversamples each reported
/// digit (small random distortions are applied while fine-tuning) and mixes in replayed MNIST training images so
/// the model does not forget what it knew. Unreadable entries are skipped and listed, never fatal.
enum AugmentWithFeedbackStep {
    static func folder(_ step: Step, context: StepContext) -> URL {
        context.resolve(step.string("folder"))
    }

    static func run(_ step: Step, mnist: DatasetValue, context: StepContext) throws -> [ArtifactValue] {
        // The copy of the folder taken when the run was planned, if there is one: its files are exactly the ones
        // the key names, whatever people add or delete while the run goes on.
        let store = FeedbackStore(folder: context.snapshot ?? folder(step, context: context))
        let (items, skipped) = store.readAll { DigitPreprocessor.mnistStyle($0) }
        for (entry, reason) in skipped {
            context.log("skipped feedback entry \(entry): \(reason)")
        }
        let feedback = ImageSet(pixels: items.flatMap(\.digit), labels: items.map(\.trueLabel), height: 28, width: 28)

        var rng = SeededGenerator(seed: context.seed)
        let replay = min(step.int("replay"), mnist.images.count)
        var order = Array(0..<mnist.images.count)
        order.shuffle(using: &rng)
        var mixed = mnist.images.subset(order.prefix(replay).sorted())
        for _ in 0..<step.int("oversample") {
            mixed.pixels += feedback.pixels
            mixed.labels += feedback.labels
        }
        let augmentation = AugmentationSpec(maxShift: step.int("shift"), maxRotationDegrees: Float(step.double("rotation")),
                                            maxZoom: Float(step.double("zoom")))
        context.log("feedback: \(feedback.count) images (\(skipped.count) skipped), each repeated \(step.int("oversample"))x, mixed with \(replay) MNIST images")
        return [
            .dataset(DatasetValue(images: mixed, augmentation: augmentation)),
            .feedback(FeedbackValue(images: feedback, sources: items.map(\.source),
                                    reportedPredictions: items.map(\.predictedLabel),
                                    skipped: skipped.map { SkippedFeedback(entry: $0.0, reason: $0.1) })),
        ]
    }
}

extension AugmentWithFeedbackStep: StepKindDefinition {
    static let schema = KindSchema(
        kind: "augment-with-feedback",
        summary: "Mixes the feedback images (wrong predictions people reported) with part of the training set.",
        inputs: [Slot(.dataset, "train", "training images to replay")],
        outputs: [Slot(.dataset, "mixed", "oversampled feedback plus replayed training images"),
                  Slot(.dataset, "feedback", "the feedback images alone, once each")],
        parameters: [
            ParameterSpec("folder", .string, default: .string("incorrect_predictions"),
                          "Folder of feedback images and their labels."),
            ParameterSpec("oversample", .int(min: 1, max: 1000), default: .int(32),
                          "Copies of each feedback image (each augmented differently)."),
            ParameterSpec("replay", .int(min: 0, max: 60_000), default: .int(6000),
                          "Training images mixed in, so the model does not forget the rest."),
        ] + PreprocessStep.augmentationParameters(shift: 1, rotation: 8, zoom: 0.08),
        reads: .folder(parameter: "folder"),
        usesSeed: true, usesThreads: false)

    /// Every file of the feedback folder (of its copy, once taken), named under the folder's name.
    static func inputFiles(of step: Step, context: StepContext) -> [(name: String, url: URL)] {
        let folder = context.snapshot ?? Self.folder(step, context: context)
        return FeedbackSnapshot.files(in: folder).map { (step.string("folder") + "/" + $0, folder.appendingPathComponent($0)) }
    }

    /// People add feedback while a run goes on: the run copies the folder first, and the key and the step use the copy.
    static func snapshotFolder(of step: Step) -> String? {
        step.string("folder")
    }

    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        try run(step, mnist: inputs.dataset(0), context: context)
    }
}
