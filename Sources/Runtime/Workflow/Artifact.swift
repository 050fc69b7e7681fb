import Foundation
import NeuralNet
import Tensor

/// A dataset flowing between steps: images plus how the model should see them.
public struct DatasetValue: Sendable {
    public var images: ImageSet
    /// Set by preprocess; the model file records it so `predict` normalises the same way.
    public var normalization: InputNormalization
    /// Random distortions applied per image while training on this set (nil: none).
    public var augmentation: AugmentationSpec?

    public init(images: ImageSet, normalization: InputNormalization = InputNormalization(), augmentation: AugmentationSpec? = nil) {
        self.images = images
        self.normalization = normalization
        self.augmentation = augmentation
    }
}

/// One model scored on one labelled set.
public struct ScoredSet: Sendable, Codable {
    /// "test" or "feedback".
    public var set: String
    /// "model" (the step's main input) or "baseline".
    public var model: String
    public var loss: Double
    public var accuracy: Double
    public var labels: [UInt8]
    public var predictions: [UInt8]
    /// Probability of the predicted class, per image.
    public var confidences: [Float]
}

/// What evaluate produces: scores, plus the images the report shows.
public struct EvaluationValue: Sendable {
    public var scores: [ScoredSet]
    /// The evaluated sets' images (test misclassified examples and the whole feedback set), by set name.
    public var examples: [String: ImageSet]
    /// For each set in `examples`, the index of each example image in that set.
    public var exampleIndices: [String: [Int]]
    /// The evaluated model's layers, for the report's model summary.
    public var model: ModelSummary
    /// Where each feedback image came from, and the feedback entries that could not be read.
    public var feedbackSources: [String] = []
    public var skippedFeedback: [SkippedFeedback] = []

    public func score(set: String, model: String = "model") -> ScoredSet? {
        scores.first { $0.set == set && $0.model == model }
    }
}

/// The files a step wrote outside the cache (plot: the report, metrics and charts), by workspace path. Their
/// bytes are kept in the step's cache entry as its workspace files.
public struct FilesValue: Sendable {
    public var paths: [String]
}

/// The feedback folder read into a labelled set.
public struct FeedbackValue: Sendable {
    /// 28x28 normalised images with their true labels.
    public var images: ImageSet
    /// Per image: the file it came from and the label the model had predicted when it was reported.
    public var sources: [String]
    public var reportedPredictions: [UInt8]
    /// Entries that could not be read, with the reason; listed in the report, never fatal.
    public var skipped: [SkippedFeedback]
}

public struct SkippedFeedback: Sendable, Codable, Equatable {
    public var entry: String
    public var reason: String
}

/// What save did.
public struct SavedValue: Sendable, Codable {
    public var path: String
    public var promoted: Bool
    public var reason: String
    public var modelSHA256: String
    public var previousKeptAt: String?
}

/// Any artifact a step reads or makes.
public enum ArtifactValue: Sendable {
    case dataset(DatasetValue)
    case model(Model)
    case history([EpochMetrics])
    case evaluation(EvaluationValue)
    case files(FilesValue)
    case feedback(FeedbackValue)
    case saved(SavedValue)
}
