/// The Markdown of `report.md` for a training run. Links are relative to the report's folder
/// (`charts/<name>.png`), so the same text is right in `Outputs/<workflow>/` and in each `runs/<ts>/` copy.
struct TrainingReportPage {
    /// One confused pair and the strip of example images drawn for it, if any examples were kept.
    struct PairRow {
        var pair: ConfusedPair
        var chart: String?
    }

    var input: TrainingReportInput
    var metrics: TrainingMetrics
    var pairs: [PairRow]
    /// How many misclassified digits the grid shows (the most confident ones of `input.misclassified`).
    var gridCount: Int

    static let charts = "charts"

    func render() -> String {
        var out = "# Training report: \(input.manifest.workflow)\n\n"
        out += "Run \(metrics.date)"
        if let commit = metrics.gitCommit { out += " · commit \(Markdown.code(String(commit.prefix(12))))" }
        if let seed = metrics.seed { out += " · seed \(seed)" }
        out += " · [metrics.json](metrics.json)\n\n"
        out += headline() + classLegend() + "\n" + model() + "\n" + history() + "\n" + confusion() + "\n" + perClass() + "\n"
            + confidence() + "\n" + confusedPairs() + "\n" + misclassified() + "\n"
            + ManifestSection.comparison(input.manifest, metrics: try? metrics.jsonData()) + "\n"
            + ManifestSection.render(input.manifest) + ManifestSection.graph(input.manifest) + "\n" + files()
        return out
    }

    private func chart(_ name: String) -> String { "\(Self.charts)/\(name).png" }

    private func label(_ c: Int) -> String { ReportText.classLabel(c, names: input.classNames) }

    private func classLegend() -> String { ReportText.classLegend(input.classNames) }

    private func headline() -> String {
        Markdown.table(["Test accuracy", "Test loss", "Misclassified", "Training time"], [.right, .right, .right, .right], [[
            "**\(Format.percent(metrics.testAccuracy))**",
            Format.fixed(metrics.testLoss, 4),
            "\(Format.grouped(metrics.misclassified)) of \(Format.grouped(metrics.testCount))",
            Format.duration(metrics.trainingSeconds),
        ]])
    }

    private func model() -> String {
        var out = "## Model\n\n"
        out += Markdown.layerTable(input.model)
        out += "\n**Total parameters:** \(Format.grouped(metrics.model.totalParameters)) · "
            + "**FLOPs per image:** \(Format.si(metrics.model.flopsPerImage)) (a multiply-add counts as two)\n"
        return out
    }

    private func history() -> String {
        var out = "## Training history\n\n"
        out += Markdown.image("Loss and accuracy per epoch, training and validation", chart("training-curves")) + "\n\n"
        let rows = input.history.map { row in
            [
                String(row.epoch), Format.fixed(row.trainLoss, 4), Format.percent(row.trainAccuracy),
                row.validationLoss.map { Format.fixed($0, 4) } ?? "—",
                row.validationAccuracy.map(Format.percent) ?? "—",
                Format.duration(row.seconds),
            ]
        }
        out += Markdown.table(["Epoch", "Train loss", "Train accuracy", "Validation loss", "Validation accuracy", "Time"],
                              [.right, .right, .right, .right, .right, .right], rows)
        return out
    }

    private func confusion() -> String {
        "## Confusion matrix\n\n"
            + "Rows are the true class, columns the predicted class; the colour scale is logarithmic so that single "
            + "errors off the diagonal show.\n\n"
            + Markdown.image("Confusion matrix of the test set", chart("confusion-matrix")) + "\n"
    }

    private func perClass() -> String {
        var out = "## Per-class results\n\n"
        out += Markdown.image("Accuracy per class", chart("per-class-accuracy")) + "\n\n"
        let rows = metrics.perClass.map { c in
            [label(c.label), Format.fixed(c.precision, 4), Format.fixed(c.recall, 4), Format.fixed(c.f1, 4),
             Format.grouped(c.support)]
        }
        out += Markdown.table(["Class", "Precision", "Recall", "F1", "Support"], [.right, .right, .right, .right, .right], rows)
        return out
    }

    private func confidence() -> String {
        var out = "## Confidence\n\n"
        out += Markdown.image("Histogram of prediction confidence, correct and wrong", chart("confidence-histogram")) + "\n\n"
        func row(_ name: String, _ s: ConfidenceStats.Summary) -> [String] {
            [name, Format.grouped(s.count)] + [s.mean, s.median, s.min, s.max].map { Format.fixed($0, 4) }
        }
        out += Markdown.table(["Predictions", "Count", "Mean", "Median", "Min", "Max"],
                              [.left, .right, .right, .right, .right, .right],
                              [row("Correct", metrics.confidence.correct), row("Wrong", metrics.confidence.wrong)])
        return out
    }

    private func confusedPairs() -> String {
        var out = "## Most confused pairs\n\n"
        guard !pairs.isEmpty else { return out + "No test image was misclassified.\n" }
        let rows = pairs.map { row in
            [
                "\(label(row.pair.trueLabel)) → \(label(row.pair.predicted))",
                String(row.pair.count),
                row.chart.map { Markdown.image("\(row.pair.trueLabel) predicted as \(row.pair.predicted)", chart($0)) }
                    ?? "no example kept",
            ]
        }
        out += Markdown.table(["True → predicted", "Count", "Examples (confidence under each)"], [.left, .right, .left], rows)
        return out
    }

    private func misclassified() -> String {
        var out = "## Misclassified digits\n\n"
        guard gridCount > 0 else {
            return out + (metrics.misclassified == 0 ? "None.\n" : "No misclassified images were kept for the report.\n")
        }
        out += "The \(gridCount) most confident of the \(Format.grouped(metrics.misclassified)) misclassified test images, "
            + "most confident first. Under each: true → predicted class, then the model's confidence.\n\n"
        out += Markdown.image("Misclassified test digits", chart("misclassified")) + "\n"
        return out
    }

    private func files() -> String { ReportText.files }
}
