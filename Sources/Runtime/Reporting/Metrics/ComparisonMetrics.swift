import Foundation

/// The comparison's numbers as written to `metrics.json` (keys in snake_case, sorted). Every number the
/// side-by-side report prints comes from here, so the two cannot disagree.
package struct ComparisonMetrics: Sendable, Equatable, Codable {
    /// One model's numbers.
    package struct Side: Sendable, Equatable, Codable {
        package var name: String
        /// Fraction correct on the test set, 0...1.
        package var testAccuracy: Double
        package var testLoss: Double
        package var testCount: Int
        package var misclassified: Int
        package var epochs: Int
        package var trainingSeconds: Double
        /// The best validation accuracy of any epoch, when the workflow held out a validation set.
        package var bestValidationAccuracy: Double?
        package var totalParameters: Int
        package var flopsPerImage: Int
        package var inference: ComparisonReportInput.InferenceSpeed
        package var perClass: [ClassMetrics]
        /// `confusionMatrix[true][predicted]`.
        package var confusionMatrix: [[Int]]
        package var mostConfused: [ConfusedPair]
        package var history: [EpochRow]

        init(_ side: ComparisonReportInput.Side) {
            let matrix = ConfusionMatrix(side.test)
            name = side.name
            testAccuracy = matrix.accuracy
            testLoss = side.testLoss
            testCount = matrix.total
            misclassified = matrix.total - matrix.correct
            epochs = side.history.count
            trainingSeconds = side.trainingSeconds
            bestValidationAccuracy = side.history.compactMap(\.validationAccuracy).max()
            totalParameters = side.model.totalParameters
            flopsPerImage = side.model.flopsPerImage
            inference = side.inference
            perClass = matrix.perClass
            confusionMatrix = matrix.counts
            mostConfused = matrix.mostConfusedPairs(limit: 10)
            history = side.history
        }
    }

    /// How the two models' answers on the same test images relate.
    package struct Agreement: Sendable, Equatable, Codable {
        package var bothRight: Int
        package var onlyFirstRight: Int
        package var onlySecondRight: Int
        package var bothWrong: Int
        /// Of the images both get wrong, how many they get wrong the same way.
        package var bothWrongSameAnswer: Int
        /// McNemar's exact test on the images exactly one model gets right: the two-sided probability of a split
        /// at least this uneven if both models were equally accurate. Small (under 0.05) means the difference in
        /// accuracy is unlikely to be luck of the test set.
        package var mcnemarP: Double

        init(first: ClassificationResult, second: ClassificationResult) {
            var (both, onlyFirst, onlySecond, neither, same) = (0, 0, 0, 0, 0)
            for i in 0..<first.count {
                let a = first.predictions[i] == first.labels[i], b = second.predictions[i] == second.labels[i]
                switch (a, b) {
                case (true, true): both += 1
                case (true, false): onlyFirst += 1
                case (false, true): onlySecond += 1
                case (false, false):
                    neither += 1
                    if first.predictions[i] == second.predictions[i] { same += 1 }
                }
            }
            (bothRight, onlyFirstRight, onlySecondRight, bothWrong, bothWrongSameAnswer) = (both, onlyFirst, onlySecond, neither, same)
            mcnemarP = Self.mcnemarExact(onlyFirst, onlySecond)
        }

        /// Two-sided exact McNemar p-value: twice the binomial(b + c, 1/2) probability of at most min(b, c),
        /// capped at 1; 1 when no image separates the models.
        static func mcnemarExact(_ b: Int, _ c: Int) -> Double {
            let n = b + c
            guard n > 0 else { return 1 }
            // log C(n, k) - n log 2, summed from k = 0 to min(b, c).
            let logHalf = Double(n) * log(0.5)
            var tail = 0.0
            for k in 0...min(b, c) {
                tail += exp(lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) + logHalf)
            }
            return min(1, 2 * tail)
        }
    }

    package var workflow: String
    package var date: String
    package var gitCommit: String?
    package var seed: UInt64?
    /// The two models in the order the compare step names them.
    package var models: [Side]
    package var agreement: Agreement

    package init(_ input: ComparisonReportInput) throws(ReportError) {
        guard input.first.test.labels == input.second.test.labels else {
            throw ReportError(kind: .invalidInput, subject: "test sets",
                              detail: "\(input.first.name) and \(input.second.name) were evaluated on different test images "
                                  + "(\(input.first.test.count) and \(input.second.test.count) labels that differ); evaluate both on the same set")
        }
        workflow = input.manifest.workflow
        date = input.manifest.isoDate
        gitCommit = input.manifest.gitCommit
        seed = input.manifest.seed
        models = [Side(input.first), Side(input.second)]
        agreement = Agreement(first: input.first.test, second: input.second.test)
    }

    /// Pretty-printed JSON with sorted keys: the same metrics give the same bytes.
    package func jsonData() throws -> Data {
        try MetricsJSON.encode(self)
    }
}
