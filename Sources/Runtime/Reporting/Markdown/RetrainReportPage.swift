/// The Markdown of `report.md` for a retrain run; links relative to the report's folder.
struct RetrainReportPage {
    var input: RetrainReportInput
    var metrics: RetrainMetrics
    /// Name of the feedback grid chart, nil when there were no feedback images.
    var feedbackChart: String?

    func render() -> String {
        var out = "# Retrain report: \(input.manifest.workflow)\n\n"
        out += "Run \(metrics.date)"
        if let commit = metrics.gitCommit { out += " · commit \(Markdown.code(String(commit.prefix(12))))" }
        if let seed = metrics.seed { out += " · seed \(seed)" }
        out += " · [metrics.json](metrics.json)\n\n"
        out += "**Decision: \(metrics.promoted ? "promoted" : "not promoted")**: \(metrics.gateReason)\n\n"
        out += comparison() + "\n" + feedback() + "\n" + unreadable() + "\n"
            + ManifestSection.comparison(input.manifest, metrics: try? metrics.jsonData()) + "\n"
            + ManifestSection.render(input.manifest) + ManifestSection.graph(input.manifest)
        return out
    }

    private func comparison() -> String {
        func points(_ before: Double, _ after: Double) -> String {
            let delta = (after - before) * 100
            return (delta >= 0 ? "+" : "") + Format.fixed(delta, 2) + " pp"
        }
        func lossChange(_ before: Double, _ after: Double) -> String {
            let delta = after - before
            return (delta >= 0 ? "+" : "") + Format.fixed(delta, 4)
        }
        let tally = metrics.feedbackOutcomes
        var rows = [
            ["MNIST test accuracy", Format.percent(metrics.testAccuracyBefore), Format.percent(metrics.testAccuracy),
             points(metrics.testAccuracyBefore, metrics.testAccuracy)],
            ["MNIST test loss", Format.fixed(metrics.testLossBefore, 4), Format.fixed(metrics.testLoss, 4),
             lossChange(metrics.testLossBefore, metrics.testLoss)],
        ]
        if tally.wrongBefore > 0 {
            rows.append(["Feedback images the model got wrong: fixed*", "0 of \(tally.wrongBefore)",
                         "\(tally.fixed) of \(tally.wrongBefore)", "+\(tally.fixed)"])
        }
        if tally.rightBefore > 0 {
            rows.append(["Feedback images it already got right: kept right*", "\(tally.rightBefore) of \(tally.rightBefore)",
                         "\(tally.keptRight) of \(tally.rightBefore)", tally.broken > 0 ? "−\(tally.broken) broken" : "none broken"])
        }
        var out = "## Before and after fine-tuning\n\n"
            + Markdown.table(["", "Before", "After", "Change"], [.left, .right, .right, .right], rows)
        if metrics.feedbackCount > 0 {
            out += "\n\\* The feedback images are part of what the new model was just fine-tuned on, so these rows show "
                + "what it learnt of them, not how well it generalises; the MNIST test set was not trained on. Only an "
                + "image the model got wrong before can be fixed; breaking one it got right counts against promotion.\n"
        }
        return out
    }

    private func feedback() -> String {
        var out = "## Feedback images\n\n"
        guard let feedbackChart, !input.feedback.isEmpty else { return out + "No usable feedback images.\n" }
        out += "Under each image: T the true label, B the model before fine-tuning (prediction and confidence), "
            + "A the model after. The model after was fine-tuned on these images.\n\n"
        out += Markdown.image("Feedback images with predictions before and after", "charts/\(feedbackChart).png") + "\n\n"
        let rows = input.feedback.map { image in
            [
                Markdown.code(image.name), String(image.trueLabel),
                "\(image.before.label) (\(Format.percent(Double(image.before.confidence))))",
                "\(image.after.label) (\(Format.percent(Double(image.after.confidence))))",
                image.outcome.rawValue,
            ]
        }
        out += Markdown.table(["File", "True", "Before", "After", "Outcome"], [.left, .right, .right, .right, .left], rows)
        return out
    }

    private func unreadable() -> String {
        var out = "## Unreadable feedback files\n\n"
        guard !input.unreadable.isEmpty else { return out + "None.\n" }
        out += "These files in `incorrect_predictions/` were skipped:\n\n"
        for file in input.unreadable {
            out += "- \(Markdown.code(file.name)): \(file.reason)\n"
        }
        return out
    }
}
