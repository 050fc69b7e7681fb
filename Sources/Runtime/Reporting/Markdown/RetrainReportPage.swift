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
        out += comparison() + "\n" + feedback() + "\n" + unreadable() + "\n" + ManifestSection.render(input.manifest)
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
        let n = metrics.feedbackCount
        let rightBefore = input.feedback.count { $0.before.label == $0.trueLabel }
        let rightAfter = input.feedback.count { $0.after.label == $0.trueLabel }
        var rows = [
            ["MNIST test accuracy", Format.percent(metrics.testAccuracyBefore), Format.percent(metrics.testAccuracy),
             points(metrics.testAccuracyBefore, metrics.testAccuracy)],
            ["MNIST test loss", Format.fixed(metrics.testLossBefore, 4), Format.fixed(metrics.testLoss, 4),
             lossChange(metrics.testLossBefore, metrics.testLoss)],
        ]
        if n > 0 {
            rows.append(["Feedback accuracy",
                         "\(Format.percent(metrics.feedbackAccuracyBefore)) (\(rightBefore)/\(n))",
                         "\(Format.percent(metrics.feedbackAccuracyAfter)) (\(rightAfter)/\(n))",
                         points(metrics.feedbackAccuracyBefore, metrics.feedbackAccuracyAfter)])
        }
        return "## Before and after fine-tuning\n\n"
            + Markdown.table(["", "Before", "After", "Change"], [.left, .right, .right, .right], rows)
    }

    private func feedback() -> String {
        var out = "## Feedback images\n\n"
        guard let feedbackChart, !input.feedback.isEmpty else { return out + "No usable feedback images.\n" }
        out += "Under each image: T the true label, B the model before fine-tuning (prediction and confidence), "
            + "A the model after.\n\n"
        out += Markdown.image("Feedback images with predictions before and after", "charts/\(feedbackChart).png") + "\n\n"
        let rows = input.feedback.map { image in
            [
                Markdown.code(image.name), String(image.trueLabel),
                "\(image.before.label) (\(Format.percent(Double(image.before.confidence))))",
                "\(image.after.label) (\(Format.percent(Double(image.after.confidence))))",
                image.after.label == image.trueLabel ? "yes" : "no",
            ]
        }
        out += Markdown.table(["File", "True", "Before", "After", "Fixed"], [.left, .right, .right, .right, .left], rows)
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
