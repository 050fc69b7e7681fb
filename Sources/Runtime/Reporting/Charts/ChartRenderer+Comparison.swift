import Foundation

extension ChartRenderer {
    /// The two models' colours: the first as the training charts' blue, the second orange.
    static let comparisonColours = ["#1f77b4", "#ff7f0e"]

    /// Loss and accuracy per epoch of two models in one chart (two panels): validation as solid lines with
    /// points, training dashed, one colour per model. The models may have trained for different numbers of epochs.
    package func comparisonCurves(_ models: [(name: String, history: [EpochRow])],
                                 name: String = "training-curves") throws(ReportError) -> Chart {
        guard models.count == 2, models.allSatisfy({ !$0.history.isEmpty }) else {
            throw ReportError(kind: .invalidInput, subject: "history",
                              detail: "two models with at least one epoch each are needed for the comparison curves")
        }
        // Six significant digits: a loss far under 1e-6 must not turn into a zero the log-scale axis cannot show.
        func value(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "?" }
        // One data block per model (gnuplot `index 0` and `index 1`), separated by two blank lines.
        var data = ""
        for model in models {
            data += "# \(model.name): epoch train_loss train_accuracy validation_loss validation_accuracy (? = none)\n"
            for row in model.history {
                data += "\(row.epoch) \(value(row.trainLoss)) \(value(row.trainAccuracy)) "
                    + "\(value(row.validationLoss)) \(value(row.validationAccuracy))\n"
            }
            data += "\n\n"
        }
        let epochs = models.flatMap { $0.history.map(\.epoch) }
        let (first, last) = (epochs.min()!, epochs.max()!)
        var loss: [String] = [], accuracy: [String] = []
        for (i, model) in models.enumerated() {
            let colour = Self.comparisonColours[i]
            let label = Self.quoted(model.name)
            let source = i == 0 ? "'\(name).dat'" : "''"
            let hasValidation = model.history.contains { $0.validationLoss != nil }
            if hasValidation {
                loss.append("\(source) index \(i) using 1:4 with linespoints lw 2 pt 7 ps 0.8 lc rgb '\(colour)' title '\(label) validation'")
                accuracy.append("\(source) index \(i) using 1:($5*100) with linespoints lw 2 pt 7 ps 0.8 lc rgb '\(colour)' title '\(label) validation'")
            }
            let again = hasValidation ? "''" : source
            loss.append("\(again) index \(i) using 1:2 with lines lw 2 dt 2 lc rgb '\(colour)' title '\(label) training'")
            accuracy.append("\(again) index \(i) using 1:($3*100) with lines lw 2 dt 2 lc rgb '\(colour)' title '\(label) training'")
        }
        // The accuracy axis starts just under the lowest validation accuracy after each model's first epoch (the
        // first is far below the rest and would squeeze the last tenths of a point, where the models differ, flat).
        // A model without a validation set shows only its training curve, so that is what must fit.
        let settled = models.flatMap { model -> [Double] in
            let validation = model.history.compactMap(\.validationAccuracy)
            let values = validation.isEmpty ? model.history.map(\.trainAccuracy) : validation
            return (values.count > 2 ? Array(values.dropFirst()) : values).map { $0 * 100 }
        }
        let lowest = settled.min()!
        let bottom = max(0, (lowest - 0.5).rounded(.down))
        let script = header(name: name, width: 1200, height: 480) + """
            set datafile missing '?'
            set multiplot layout 1,2 title 'Training history: \(Self.quoted(models[0].name)) and \(Self.quoted(models[1].name))' font ',13'
            set grid lc rgb '#dddddd'
            set key top right box opaque
            set xlabel 'epoch'
            \(last - first <= 12 ? "set xtics 1" : last - first <= 30 ? "set xtics 2" : "set xtics")
            set xrange [\(Double(first) - 0.3):\(Double(last) + 0.3)]
            set title 'Loss (cross-entropy)'
            set ylabel 'loss'
            set logscale y
            plot \(loss.joined(separator: ", \\\n     "))
            unset logscale y
            set key bottom right box opaque
            set title 'Accuracy'
            set ylabel 'accuracy (%)'
            set format y '%.1f'
            set yrange [\(Format.fixed(bottom, 1)):100]
            plot \(accuracy.joined(separator: ", \\\n     "))
            unset multiplot

            """
        return try render(name: name, script: script, data: data)
    }

    /// F1 of each class for two models as grouped bars, the y axis zoomed to the range the values span.
    package func perClassF1(_ models: [(name: String, classes: [ClassMetrics])],
                           name: String = "per-class-f1") throws(ReportError) -> Chart {
        guard models.count == 2, !models[0].classes.isEmpty, models[0].classes.count == models[1].classes.count else {
            throw ReportError(kind: .invalidInput, subject: "per-class metrics",
                              detail: "two models with the same classes are needed for the per-class chart")
        }
        var data = "# class \(models[0].name) f1 (%), \(models[1].name) f1 (%)\n"
        for (a, b) in zip(models[0].classes, models[1].classes) {
            data += "\(a.label) \(Format.fixed(a.f1 * 100, 4)) \(Format.fixed(b.f1 * 100, 4))\n"
        }
        let low = models.flatMap { $0.classes.map { $0.f1 * 100 } }.min()!
        let bottom = max(0, (low - max(0.5, (100 - low) * 0.5)).rounded(.down))
        let top = 100 + (100 - bottom) * 0.12
        let count = models[0].classes.count
        let script = header(name: name, width: 1000, height: 480) + """
            set title 'F1 per class (test set)' font ',13'
            set xlabel 'class'
            set ylabel 'F1 (%)'
            set xrange [-0.6:\(Double(count) - 0.4)]
            set yrange [\(Format.fixed(bottom, 1)):\(Format.fixed(top, 2))]
            set xtics 0,1,\(count - 1) scale 0
            set grid ytics lc rgb '#dddddd'
            set style fill solid 0.85 border -1
            set boxwidth 0.36
            set key top left box opaque horizontal reverse Left width 1
            plot '\(name).dat' using ($1-0.19):2 with boxes lc rgb '\(Self.comparisonColours[0])' title '\(Self.quoted(models[0].name))', \\
                 '' using ($1+0.19):3 with boxes lc rgb '\(Self.comparisonColours[1])' title '\(Self.quoted(models[1].name))'

            """
        return try render(name: name, script: script, data: data)
    }
}
