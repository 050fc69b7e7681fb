/// The Markdown of `report.md` for a comparison of two models trained on the same data. Links are relative to the
/// report's folder (`charts/<name>.png`), as in the training report.
struct ComparisonReportPage {
    var input: ComparisonReportInput
    var metrics: ComparisonMetrics
    /// The charts drawn, by role: the names of the confusion matrices and of the two disagreement grids (nil when
    /// no image falls in it).
    var confusionCharts: [String]
    var onlyRightCharts: [String?]

    private var a: ComparisonMetrics.Side { metrics.models[0] }
    private var b: ComparisonMetrics.Side { metrics.models[1] }

    func render() -> String {
        var out = "# Comparison report: \(input.manifest.workflow)\n\n"
        out += "\(a.name) against \(b.name), trained on the same cached data and measured on the same \(Format.grouped(a.testCount)) "
            + "test images. Run \(metrics.date)"
        if let commit = metrics.gitCommit { out += " · commit \(Markdown.code(String(commit.prefix(12))))" }
        if let seed = metrics.seed { out += " · seed \(seed)" }
        out += " · [metrics.json](metrics.json)\n\n"
        out += headline() + classLegend() + "\n" + agreement() + "\n" + history() + "\n" + confusion() + "\n"
            + perClass() + "\n" + confusedPairs() + "\n" + disagreements() + "\n" + models() + "\n"
            + ManifestSection.render(input.manifest) + ManifestSection.graph(input.manifest) + "\n" + files()
        return out
    }

    private func chart(_ name: String) -> String { "\(TrainingReportPage.charts)/\(name).png" }

    private func label(_ c: Int) -> String { ReportText.classLabel(c, names: input.classNames) }

    private func classLegend() -> String { ReportText.classLegend(input.classNames) }

    /// The two models' headline numbers, the better of each row in bold where "better" has a direction.
    private func headline() -> String {
        func pick(_ x: Double, _ y: Double, higherIsBetter: Bool, _ format: (Double) -> String) -> [String] {
            let (fx, fy) = (format(x), format(y))
            guard fx != fy else { return [fx, fy] }
            let firstBetter = higherIsBetter ? x > y : x < y
            return firstBetter ? ["**\(fx)**", fy] : [fx, "**\(fy)**"]
        }
        var rows: [[String]] = []
        rows.append(["Test accuracy"] + pick(a.testAccuracy, b.testAccuracy, higherIsBetter: true, Format.percent))
        rows.append(["Test loss"] + pick(a.testLoss, b.testLoss, higherIsBetter: false) { Format.fixed($0, 4) })
        rows.append(["Misclassified", "\(Format.grouped(a.misclassified)) of \(Format.grouped(a.testCount))",
                     "\(Format.grouped(b.misclassified)) of \(Format.grouped(b.testCount))"])
        if let va = a.bestValidationAccuracy, let vb = b.bestValidationAccuracy {
            rows.append(["Best validation accuracy"] + pick(va, vb, higherIsBetter: true, Format.percent))
        }
        rows.append(["Parameters"] + pick(Double(a.totalParameters), Double(b.totalParameters), higherIsBetter: false) { Format.grouped(Int($0)) })
        rows.append(["FLOPs per image"] + pick(Double(a.flopsPerImage), Double(b.flopsPerImage), higherIsBetter: false) { Format.si(Int($0)) })
        rows.append(["Epochs", String(a.epochs), String(b.epochs)])
        rows.append(["Training time"] + pick(a.trainingSeconds, b.trainingSeconds, higherIsBetter: false, Format.duration))
        rows.append(["Inference, batches of \(a.inference.batch) on \(a.inference.threads) thread\(a.inference.threads == 1 ? "" : "s")"]
                    + pick(a.inference.imagesPerSecond, b.inference.imagesPerSecond, higherIsBetter: true) { Format.grouped(Int($0.rounded())) + " images/s" })
        if let x = a.inference.singleImageMilliseconds, let y = b.inference.singleImageMilliseconds {
            rows.append(["One image alone (median)"] + pick(x, y, higherIsBetter: false) { Format.fixed($0, 3) + " ms" })
        }
        return Markdown.table(["", a.name, b.name], [.left, .right, .right], rows)
            + "\nBold: the better of the two. Times are wall times on the machine of the run (its CPU is in the manifest below); "
            + "FLOPs count a multiply-add as two.\n"
    }

    private func agreement() -> String {
        let g = metrics.agreement
        var out = "## Where they agree\n\n"
        out += Markdown.table(["Test images", "Count"], [.left, .right], [
            ["Both right", Format.grouped(g.bothRight)],
            ["Only \(a.name) right", Format.grouped(g.onlyFirstRight)],
            ["Only \(b.name) right", Format.grouped(g.onlySecondRight)],
            ["Both wrong", Format.grouped(g.bothWrong) + (g.bothWrong > 0 ? " (\(g.bothWrongSameAnswer) with the same wrong answer)" : "")],
        ])
        let separated = g.onlyFirstRight + g.onlySecondRight
        out += "\n"
        if separated == 0 {
            out += "No test image separates the two models.\n"
        } else {
            let verdict = g.mcnemarP < 0.05
                ? "a split this uneven is unlikely if the two were equally accurate (p < 0.05)"
                : "a split like this is common between two equally accurate models, so this test set does not show one to be better"
            out += "McNemar's exact test on the \(separated) images that only one model gets right: p \(Self.pValue(g.mcnemarP)); "
                + verdict + ".\n"
        }
        return out
    }

    /// `< 0.0001`, `= 0.0037`; a p just under 0.05 that would round to 0.0500 reads `< 0.05`, as the verdict says.
    static func pValue(_ p: Double) -> String {
        if p < 0.0001 { return "< 0.0001" }
        let shown = Format.fixed(p, 4)
        return p < 0.05 && shown == "0.0500" ? "< 0.05" : "= " + shown
    }

    private func history() -> String {
        var out = "## Training history\n\n"
        out += Markdown.image("Loss and accuracy per epoch of both models, validation solid and training dashed", chart("training-curves")) + "\n\n"
        out += "Solid lines: validation set; dashed: training set (augmented images, where the workflow augments).\n\n"
        let epochs = max(a.history.count, b.history.count)
        func cells(_ s: ComparisonMetrics.Side, _ i: Int) -> [String] {
            guard i < s.history.count else { return ["—", "—", "—"] }
            let row = s.history[i]
            return [row.validationLoss.map { Format.fixed($0, 4) } ?? "—", row.validationAccuracy.map(Format.percent) ?? "—",
                    Format.duration(row.seconds)]
        }
        let rows = (0..<epochs).map { i in [String(i + 1)] + cells(a, i) + cells(b, i) }
        out += Markdown.table(["Epoch", "\(a.name) val. loss", "\(a.name) val. accuracy", "\(a.name) time",
                               "\(b.name) val. loss", "\(b.name) val. accuracy", "\(b.name) time"],
                              Array(repeating: .right, count: 7), rows)
        return out
    }

    private func confusion() -> String {
        "## Confusion matrices\n\n"
            + "Rows are the true class, columns the predicted class; the colour scale is logarithmic so that single errors "
            + "off the diagonal show.\n\n"
            + Markdown.table([a.name, b.name], [.left, .left], [[
                Markdown.image("Confusion matrix of \(a.name)", chart(confusionCharts[0])),
                Markdown.image("Confusion matrix of \(b.name)", chart(confusionCharts[1])),
            ]])
    }

    private func perClass() -> String {
        var out = "## Per-class results\n\n"
        out += Markdown.image("F1 per class of both models", chart("per-class-f1")) + "\n\n"
        let rows = zip(a.perClass, b.perClass).map { x, y in
            [label(x.label)]
                + [x.f1, y.f1].map { Format.fixed($0, 4) } + [x.precision, y.precision].map { Format.fixed($0, 4) }
                + [x.recall, y.recall].map { Format.fixed($0, 4) } + [Format.grouped(x.support)]
        }
        out += Markdown.table(["Class", "F1 \(a.name)", "F1 \(b.name)", "Precision \(a.name)", "Precision \(b.name)",
                               "Recall \(a.name)", "Recall \(b.name)", "Support"],
                              [.right, .right, .right, .right, .right, .right, .right, .right], rows)
        return out
    }

    /// The pairs either model confuses most, with both models' counts.
    private func confusedPairs() -> String {
        var out = "## Most confused pairs\n\n"
        var pairs: [(Int, Int)] = []
        for pair in (a.mostConfused.prefix(6) + b.mostConfused.prefix(6)) where !pairs.contains(where: { $0 == (pair.trueLabel, pair.predicted) }) {
            pairs.append((pair.trueLabel, pair.predicted))
        }
        guard !pairs.isEmpty else { return out + "Neither model misclassified a test image.\n" }
        let rows = pairs.map { t, p in
            ["\(label(t)) → \(label(p))", String(a.confusionMatrix[t][p]), String(b.confusionMatrix[t][p])]
        }.sorted { (Int($0[1])! + Int($0[2])!) > (Int($1[1])! + Int($1[2])!) }
        out += Markdown.table(["True → predicted", a.name, b.name], [.left, .right, .right], rows)
        return out
    }

    private func disagreements() -> String {
        var out = "## Digits one gets right and the other wrong\n\n"
        let g = metrics.agreement
        for (i, (right, wrong, count)) in [(a, b, g.onlyFirstRight), (b, a, g.onlySecondRight)].enumerated() {
            out += "### Right by \(right.name), wrong by \(wrong.name) (\(Format.grouped(count)))\n\n"
            if let name = onlyRightCharts[i] {
                let shown = min(count, ReportWriter.disagreementsInGrid)
                out += (shown < count ? "The \(shown) of them \(wrong.name) was most sure of. " : "")
                    + "Under each: true → \(wrong.name)'s answer, then \(wrong.name)'s confidence.\n\n"
                out += Markdown.image("Test digits \(right.name) gets right and \(wrong.name) gets wrong", chart(name)) + "\n\n"
            } else {
                out += "None.\n\n"
            }
        }
        return out
    }

    private func models() -> String {
        var out = "## Models\n\n"
        for (side, summary) in [(a, input.first.model), (b, input.second.model)] {
            out += "### \(side.name)\n\n"
            out += Markdown.layerTable(summary)
            out += "\n**Total parameters:** \(Format.grouped(side.totalParameters)) · **FLOPs per image:** \(Format.si(side.flopsPerImage))\n\n"
        }
        return out
    }

    private func files() -> String { ReportText.files }
}
