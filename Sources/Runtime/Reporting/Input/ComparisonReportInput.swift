/// Everything the side-by-side report of two models trained on the same data shows. Plain values, so any step
/// can fill it in.
package struct ComparisonReportInput: Sendable {
    /// One of the two models: how it trained, what it got right on the test set, what it costs.
    package struct Side: Sendable {
        /// How the report names it ("CNN", "ViT").
        package var name: String
        package var history: [EpochRow]
        /// Predictions on the test set, in the test set's order (the same images for both sides).
        package var test: ClassificationResult
        /// Mean cross-entropy on the test set.
        package var testLoss: Double
        package var model: ModelSummary
        /// Wall time of the training step in seconds (the sum of its epochs).
        package var trainingSeconds: Double
        package var inference: InferenceSpeed

        package init(name: String, history: [EpochRow], test: ClassificationResult, testLoss: Double, model: ModelSummary,
                    trainingSeconds: Double, inference: InferenceSpeed) {
            self.name = name
            self.history = history
            self.test = test
            self.testLoss = testLoss
            self.model = model
            self.trainingSeconds = trainingSeconds
            self.inference = inference
        }
    }

    /// How fast a model classifies, measured on the machine that ran the comparison.
    package struct InferenceSpeed: Sendable, Equatable, Codable {
        /// Test images per second in batches of `batch` on `threads` threads.
        package var imagesPerSecond: Double
        package var batch: Int
        package var threads: Int
        /// Median time of one image on its own (batch of one, one thread), in milliseconds: what a request to
        /// `stepwise serve` waits for the model. nil: not measured.
        package var singleImageMilliseconds: Double?

        package init(imagesPerSecond: Double, batch: Int, threads: Int, singleImageMilliseconds: Double?) {
            self.imagesPerSecond = imagesPerSecond
            self.batch = batch
            self.threads = threads
            self.singleImageMilliseconds = singleImageMilliseconds
        }
    }

    package var first: Side
    package var second: Side
    /// The test images (28x28, white on black), in the order of both sides' predictions: the report shows the
    /// digits one model gets right and the other wrong.
    package var testImages: [[UInt8]]
    package var manifest: RunManifest
    /// What each class is, when not the digit itself; nil for digits.
    package var classNames: [String]?

    package init(first: Side, second: Side, testImages: [[UInt8]], manifest: RunManifest, classNames: [String]? = nil) {
        self.first = first
        self.second = second
        self.testImages = testImages
        self.manifest = manifest
        self.classNames = classNames
    }
}
