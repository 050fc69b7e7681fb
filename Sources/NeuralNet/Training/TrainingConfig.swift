import StepwiseErrors

/// Everything that decides a training run besides the model and the data. Equal configs, data and
/// thread count give bit-identical weights.
public struct TrainingConfig: Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var optimizer: OptimizerSpec
    public var schedule: LRSchedule
    public var augmentation: AugmentationSpec?
    public var labelSmoothing: Float
    public var seed: UInt64
    public var threads: Int
    /// Asked before every batch; when it returns true, `Trainer.fit` throws `TrainingStopped`. Not part of
    /// what decides the weights.
    public var shouldStop: (@Sendable () -> Bool)?

    public init(epochs: Int, batchSize: Int, optimizer: OptimizerSpec = .adamDefault, schedule: LRSchedule = .constant,
                augmentation: AugmentationSpec? = nil, labelSmoothing: Float = 0, seed: UInt64 = 0, threads: Int = 2)
    {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.schedule = schedule
        self.augmentation = augmentation
        self.labelSmoothing = labelSmoothing
        self.seed = seed
        self.threads = threads
    }
}

/// Progress of `Trainer.fit`, delivered in order on the calling thread.
public enum TrainingEvent: Sendable {
    case fitStart(epochs: Int, batchesPerEpoch: Int, trainCount: Int)
    case epochStart(epoch: Int)
    /// `loss` and `accuracy` are the batch's; `imagesPerSecond` is the epoch's average so far.
    case batchEnd(epoch: Int, batch: Int, loss: Float, accuracy: Float, imagesPerSecond: Double, secondsLeft: Double)
    case epochEnd(EpochMetrics)
    case fitEnd
}

/// One epoch's results. Epochs count from 1. Train loss and accuracy are averaged over the epoch's batches
/// as the weights moved (like a Keras history), validation ones measured after the epoch.
public struct EpochMetrics: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Float
    public var trainAccuracy: Float
    public var validationLoss: Float?
    public var validationAccuracy: Float?
    public var learningRate: Float
    public var seconds: Double

    public init(epoch: Int, trainLoss: Float, trainAccuracy: Float, validationLoss: Float?, validationAccuracy: Float?,
                learningRate: Float, seconds: Double)
    {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }
}

/// `Trainer.fit` stopped before the end because `TrainingConfig.shouldStop` said so (the run was interrupted).
public struct TrainingStopped: Error, CustomStringConvertible, Equatable {
    public let epoch: Int
    public let batch: Int
    public init(epoch: Int, batch: Int) {
        self.epoch = epoch
        self.batch = batch
    }
    public var description: String { "training stopped before epoch \(epoch), batch \(batch)" }
}

/// A training run that cannot start, or that diverged: the message says which setting or which data is wrong,
/// or where the numbers stopped being finite.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public let message: String
    /// Set when the loss or the weights became NaN or infinite; the run stopped there.
    public let divergedAt: (epoch: Int, batch: Int)?
    public init(_ message: String) {
        self.message = message
        divergedAt = nil
    }

    init(message: String, divergedAt: (epoch: Int, batch: Int)) {
        self.message = message
        self.divergedAt = divergedAt
    }

    /// Training diverged at `epoch` (from 1), `batch` (from 1) of `batches`: `what` names the value.
    static func diverged(epoch: Int, batch: Int, batches: Int, what: String, learningRate: Float) -> TrainingError {
        TrainingError(message: "training diverged at epoch \(epoch), batch \(batch) of \(batches): \(what) (learning rate "
                          + "\(learningRate)); try a lower learning rate",
                      divergedAt: (epoch, batch))
    }

    public var description: String { message }

    public static func == (a: TrainingError, b: TrainingError) -> Bool {
        a.message == b.message && a.divergedAt?.epoch == b.divergedAt?.epoch && a.divergedAt?.batch == b.divergedAt?.batch
    }
}

extension TrainingError: ExitCoded {
    public var exitCode: Int32 { ExitCode.failure }
}
