/// The one table of step kinds: slots, parameters, defaults, ranges and documentation. The checker, the
/// runtime's typed getters and the reference section of docs/DSL.md (`markdownReference()`) all read it.
public enum StepSchema {
    public static func schema(for kind: StepKind) -> KindSchema {
        switch kind {
        case .load: load
        case .preprocess: preprocess
        case .build: build
        case .train: train
        case .evaluate: evaluate
        case .plot: plot
        case .save: save
        case .augmentWithFeedback: augmentWithFeedback
        case .finetune: finetune
        }
    }

    public static var all: [KindSchema] { StepKind.allCases.map(schema(for:)) }

    static let load = KindSchema(
        kind: .load,
        summary: "Reads a dataset's training and test splits from the data folder (`--data` or `STEPWISE_DATA`).",
        inputs: [],
        outputs: [Slot(.dataset, "train", "the training split"), Slot(.dataset, "test", "the test split")],
        body: .parameters,
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

    /// Augmentation parameters shared by preprocess and augment-with-feedback, with their own defaults.
    private static func augmentation(shift: Int, rotation: Double, zoom: Double) -> [ParameterSpec] {
        [
            ParameterSpec("shift", .int(min: 0, max: 8), default: .int(shift),
                          "Largest random shift of an augmented image, in pixels."),
            ParameterSpec("rotation", .decimal(.closed(0, 45)), default: .decimal(rotation),
                          "Largest random rotation of an augmented image, in degrees."),
            ParameterSpec("zoom", .decimal(.closed(0, 0.5)), default: .decimal(zoom),
                          "Largest random zoom of an augmented image, as a fraction (0.1 is ±10%)."),
        ]
    }

    static let preprocess = KindSchema(
        kind: .preprocess,
        summary: "Holds out a validation set from the training images and sets normalisation and augmentation.",
        inputs: [Slot(.dataset, "train", "the images to split")],
        outputs: [Slot(.dataset, "train", "the images trained on"),
                  Slot(.dataset, "validation", "the held-out images")],
        body: .parameters,
        parameters: [
            ParameterSpec("validation", .int(min: 0, max: 30_000), default: .int(5_000),
                          "Images held out for validation (taken after a seeded shuffle)."),
            ParameterSpec("scale", .decimal(.positive), default: .decimal(1.0 / 255.0),
                          "Pixel scale: input = (pixel * scale - mean) / std."),
            ParameterSpec("mean", .decimal(.any), default: .decimal(0.1307), "Mean subtracted after scaling."),
            ParameterSpec("std", .decimal(.positive), default: .decimal(0.3081), "Standard deviation divided by."),
            ParameterSpec("augment", .bool, default: .bool(true),
                          "Randomly shift, rotate and zoom training images each epoch."),
        ] + augmentation(shift: 2, rotation: 10, zoom: 0.1),
        reads: nil,
        usesSeed: true, usesThreads: false)

    static let build = KindSchema(
        kind: .build,
        summary: "Describes the model, one layer per line (see Layer lines), and initialises its weights.",
        inputs: [],
        outputs: [Slot(.model, "initial", "the untrained model")],
        body: .layers,
        parameters: [
            ParameterSpec("input", .size(dimensions: 1...3), default: .size([1, 28, 28]),
                          "Shape of one input image, channels x height x width; MNIST's is 1x28x28, the only "
                              + "shape the datasets give."),
        ],
        reads: nil,
        usesSeed: true, usesThreads: false)

    /// Training parameters shared by train and finetune, with their own defaults where they differ.
    private static func training(epochs: Int, lr: Double) -> [ParameterSpec] {
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

    static let train = KindSchema(
        kind: .train,
        summary: "Trains a model on the training set, measuring the validation set after each epoch.",
        inputs: [Slot(.model, nil, "the model to train"),
                 Slot(.dataset, "train", "the images trained on"),
                 Slot(.dataset, "validation", optional: true, "images measured after each epoch")],
        outputs: [Slot(.model, "trained", "the trained model"), Slot(.history, nil, "per-epoch metrics")],
        body: .parameters,
        parameters: training(epochs: 10, lr: 0.001),
        reads: nil,
        usesSeed: true, usesThreads: true)

    static let evaluate = KindSchema(
        kind: .evaluate,
        summary: "Measures a model on the test set (and on feedback images, and against a baseline model).",
        inputs: [Slot(.model, nil, "the model measured"),
                 Slot(.dataset, "test", "the test images"),
                 Slot(.dataset, "feedback", optional: true, "feedback images, measured separately"),
                 Slot(.model, "baseline", optional: true, "a model to compare with on the same images")],
        outputs: [Slot(.evaluation, nil, "accuracy, loss, confusion matrix, misclassified examples")],
        body: .parameters,
        parameters: [
            ParameterSpec("batch", .int(min: 1, max: 60_000), default: .int(1000), "Images per forward pass."),
            ParameterSpec("misclassified", .int(min: 0, max: 1000), default: .int(64),
                          "The most confident mistakes kept for the report's grid (examples of the most confused pairs are kept besides)."),
        ],
        reads: nil,
        usesSeed: false, usesThreads: true)

    static let plot = KindSchema(
        kind: .plot,
        summary: "Draws the charts with gnuplot and writes the Markdown report and metrics.json.",
        inputs: [Slot(.history, nil, "per-epoch metrics"), Slot(.evaluation, nil, "test metrics"),
                 Slot(.saved, nil, optional: true, "what save did (the promotion gate's decision, for retrain)")],
        outputs: [Slot(.charts, nil, "PNG charts with their gnuplot scripts and data")],
        body: .parameters,
        parameters: [],
        reads: nil,
        usesSeed: false, usesThreads: false)

    static let save = KindSchema(
        kind: .save,
        summary: "Writes the model file atomically, keeping the previous one under `history/`.",
        inputs: [Slot(.model, nil, "the model written"), Slot(.evaluation, nil, "its test metrics, stored with it")],
        outputs: [Slot(.saved, nil, "the written model file")],
        body: .parameters,
        parameters: [
            ParameterSpec("path", .string, default: .string("Outputs/models/cnn.safetensors"),
                          "Where the model file goes."),
            ParameterSpec("keep_history", .bool, default: .bool(true),
                          "Move the file being replaced to `history/` next to it."),
            ParameterSpec("gate", .bool, default: .bool(false),
                          "Refuse to replace the file if the new model is worse (see max_accuracy_drop)."),
            ParameterSpec("max_accuracy_drop", .decimal(.closed(0, 100)), default: .decimal(0.3),
                          "With gate: largest test-accuracy drop allowed, in percentage points."),
        ],
        reads: nil,
        usesSeed: false, usesThreads: false)

    static let augmentWithFeedback = KindSchema(
        kind: .augmentWithFeedback,
        summary: "Mixes the feedback images (wrong predictions people reported) with part of the training set.",
        inputs: [Slot(.dataset, "train", "training images to replay")],
        outputs: [Slot(.dataset, "mixed", "oversampled feedback plus replayed training images"),
                  Slot(.dataset, "feedback", "the feedback images alone, once each")],
        body: .parameters,
        parameters: [
            ParameterSpec("folder", .string, default: .string("incorrect_predictions"),
                          "Folder of feedback images and their labels."),
            ParameterSpec("oversample", .int(min: 1, max: 1000), default: .int(32),
                          "Copies of each feedback image (each augmented differently)."),
            ParameterSpec("replay", .int(min: 0, max: 60_000), default: .int(6000),
                          "Training images mixed in, so the model does not forget the rest."),
        ] + augmentation(shift: 1, rotation: 8, zoom: 0.08),
        reads: .folder(parameter: "folder"),
        usesSeed: true, usesThreads: false)

    static let finetune = KindSchema(
        kind: .finetune,
        summary: "Loads the current model file and trains it further on the mixed images.",
        inputs: [Slot(.dataset, "mixed", "the images trained on"),
                 Slot(.dataset, "validation", optional: true, "images measured after each epoch")],
        outputs: [Slot(.model, "baseline", "the model as loaded, before fine-tuning"),
                  Slot(.model, "tuned", "the fine-tuned model"),
                  Slot(.history, nil, "per-epoch metrics")],
        body: .parameters,
        parameters: [
            ParameterSpec("model", .string, default: .string("Outputs/models/cnn.safetensors"),
                          "The model file to start from."),
        ] + training(epochs: 3, lr: 0.0002),
        reads: .file(parameter: "model"),
        usesSeed: true, usesThreads: true)
}
