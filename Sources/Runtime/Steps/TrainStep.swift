import Foundation
import NeuralNet
import StepDSL
import Tensor

/// `train model, train_data, val_data -> trained, history` (and the training half of finetune).
enum TrainStep {
    /// The training settings a train or finetune step's parameters describe.
    static func config(_ step: Step, augmentation: AugmentationSpec?, context: StepContext) -> TrainingConfig {
        let lr = Float(step.double("lr"))
        let decay = Float(step.double("weight_decay"))
        let optimizer: OptimizerSpec = switch step.string("optimizer") {
        case "sgd": .sgd(lr: lr, momentum: Float(step.double("momentum")), nesterov: step.bool("nesterov"), weightDecay: decay)
        case "adamw": .adamw(lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: decay)
        case "adadelta": .adadelta(lr: lr, rho: 0.9, eps: 1e-6, weightDecay: decay)
        default: .adam(lr: lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: decay)
        }
        let schedule: LRSchedule = switch step.string("schedule") {
        case "step": .step(everyEpochs: step.int("step_size"), gamma: Float(step.double("gamma")))
        case "cosine": .cosine(minLR: Float(step.double("min_lr")))
        case "warmup_cosine": .warmupCosine(warmupEpochs: Float(step.double("warmup")), minLR: Float(step.double("min_lr")))
        case "onecycle": .oneCycle(maxLR: lr, pctStart: 0.25)
        default: .constant
        }
        return TrainingConfig(epochs: step.int("epochs"), batchSize: step.int("batch"), optimizer: optimizer,
                              schedule: schedule, augmentation: augmentation,
                              labelSmoothing: Float(step.double("label_smoothing")), seed: context.seed,
                              // The step's own threads parameter if set, else --threads (`Step.threads(run:)`).
                              threads: context.threads)
    }

    static func fit(_ model: inout Model, step: Step, train: DatasetValue, validation: DatasetValue?,
                    context: StepContext) throws -> [EpochMetrics] {
        model.normalization = train.normalization
        var config = config(step, augmentation: train.augmentation, context: context)
        config.shouldStop = context.isInterrupted
        var epochs = 0
        do {
            return try fitting(&model, config: config, train: train, validation: validation, context: context, epochs: &epochs)
        } catch let error as TrainingError where error.divergedAt != nil {
            // Say how to lower it for this step, ready to paste.
            let lower = min(config.optimizer.learningRate / 10, 0.001)
            throw TrainingError("\(error.message), e.g. --set \(step.name).lr=\(lower)")
        }
    }

    private static func fitting(_ model: inout Model, config: TrainingConfig, train: DatasetValue, validation: DatasetValue?,
                                context: StepContext, epochs: inout Int) throws -> [EpochMetrics] {
        try Trainer.fit(&model, train: train.images, validation: validation?.images, config: config) { event in
            switch event {
            case let .fitStart(count, batches, images):
                epochs = count
                context.log("training on \(images) images, \(count) epochs of \(batches) batches, seed \(config.seed), \(config.threads) threads")
            case .epochStart:
                break
            case let .batchEnd(epoch, batch, loss, accuracy, speed, left):
                context.progress(String(format: "epoch %d/%d batch %d loss %.4f acc %.1f%% %.0f img/s %@ left",
                                        epoch, epochs, batch, loss, accuracy * 100, speed, Duration.seconds(max(0, left)).compact))
            case let .epochEnd(m):
                var line = String(format: "epoch %d/%d: loss %.4f acc %.2f%%", m.epoch, epochs, m.trainLoss, m.trainAccuracy * 100)
                if let vl = m.validationLoss, let va = m.validationAccuracy {
                    line += String(format: ", validation loss %.4f acc %.2f%%", vl, va * 100)
                }
                line += String(format: ", lr %.5f, %.1fs", m.learningRate, m.seconds)
                context.log(line)
            case .fitEnd:
                break
            }
        }
    }

    static func run(_ step: Step, model: Model, train: DatasetValue, validation: DatasetValue?,
                    context: StepContext) throws -> [ArtifactValue] {
        var model = model
        let history = try fit(&model, step: step, train: train, validation: validation, context: context)
        return [.model(model), .history(history)]
    }
}

extension TrainStep: StepKindDefinition {
    static let schema = KindSchema(
        kind: "train",
        summary: "Trains a model on the training set, measuring the validation set after each epoch.",
        inputs: [Slot(.model, nil, "the model to train"),
                 Slot(.dataset, "train", "the images trained on"),
                 Slot(.dataset, "validation", optional: true, "images measured after each epoch")],
        outputs: [Slot(.model, "trained", "the trained model"), Slot(.history, nil, "per-epoch metrics")],
        parameters: TrainStep.trainingParameters(epochs: 10, lr: 0.001),
        usesSeed: true, usesThreads: true)

    /// Training parameters shared by train and finetune, with their own defaults where they differ.
    static func trainingParameters(epochs: Int, lr: Double) -> [ParameterSpec] {
        [
            ParameterSpec("epochs", .int(min: 1, max: 1000), default: .int(epochs), "Passes over the training set."),
            ParameterSpec("batch", .int(min: 1, max: 8192), default: .int(64), "Images per optimisation step."),
            ParameterSpec("optimizer", .choice(["sgd", "adam", "adamw", "adadelta"]), default: .word("adam"),
                          "Update rule."),
            ParameterSpec("lr", .decimal(.positive), default: .decimal(lr),
                          "Learning rate (the peak rate under `onecycle`)."),
            ParameterSpec("momentum", .decimal(.unitOpen), default: .decimal(0.9),
                          "SGD momentum (Adam and AdamW use beta1 = 0.9)."),
            ParameterSpec("nesterov", .bool, default: .bool(false), "Nesterov momentum (sgd only)."),
            ParameterSpec("weight_decay", .decimal(.nonNegative), default: .decimal(0),
                          "L2 penalty (decoupled for adamw)."),
            ParameterSpec("schedule", .choice(["constant", "step", "cosine", "onecycle", "warmup_cosine"]),
                          default: .word("constant"), "How the learning rate changes over the epochs."),
            ParameterSpec("warmup", .decimal(.nonNegative), default: .decimal(0),
                          "Epochs of linear warm-up before the cosine (schedule warmup_cosine; fractions allowed)."),
            ParameterSpec("min_lr", .decimal(.nonNegative), default: .decimal(0),
                          "The rate the cosine ends at (schedules cosine and warmup_cosine)."),
            ParameterSpec("step_size", .int(min: 1, max: 1000), default: .int(5),
                          "Epochs between learning-rate drops (schedule step)."),
            ParameterSpec("gamma", .decimal(DecimalBounds(lower: 0, lowerInclusive: false, upper: 1)),
                          default: .decimal(0.1), "Factor applied at each drop (schedule step)."),
            ParameterSpec("label_smoothing", .decimal(.unitOpen), default: .decimal(0),
                          "Weight moved from the true label to the others in the loss."),
            ParameterSpec("seed", .intOrAuto(min: 0, max: Int.max), default: .word("auto"),
                          "Seed for initialisation order, shuffling, dropout and augmentation; "
                              + "`auto` derives it from the run seed and the step name."),
            ParameterSpec("threads", .int(min: 1, max: 64), default: .int(2),
                          "Worker threads; when not set, `--threads` decides (2 unless given)."),
        ]
    }

    static func interpret(_ step: Step, inputs: StepInputs, context: StepContext) throws -> [ArtifactValue] {
        try run(step, model: inputs.model(0), train: inputs.dataset(1), validation: inputs.optionalDataset(2), context: context)
    }
}

extension Duration {
    /// `2m10s`, `1h03m`, `45s`.
    var compact: String {
        let total = Int(components.seconds)
        if total >= 3600 { return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60) }
        if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return "\(total)s"
    }
}
