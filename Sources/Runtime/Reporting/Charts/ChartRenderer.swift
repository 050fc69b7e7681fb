import Foundation
import Imaging
import Tensor

/// Draws the report's charts into one folder. Each gnuplot chart leaves `name.png`, `name.gp` and
/// `name.dat` side by side; `gnuplot name.gp` run in that folder re-renders the PNG. Outputs depend only on
/// the data passed in.
public struct ChartRenderer: Sendable {
    public let folder: URL
    /// nil when gnuplot is not installed: gnuplot charts then throw `gnuplotMissing`, digit sheets still work.
    public let gnuplot: Gnuplot?

    public init(folder: URL, gnuplot: Gnuplot? = Gnuplot.locate()) {
        self.folder = folder
        self.gnuplot = gnuplot
    }

    static let font = "DejaVu Sans,11"
    static let trainColour = "#1f77b4"
    static let validationColour = "#d62728"

    // MARK: gnuplot charts

    /// Loss and accuracy per epoch, training against validation, as two panels side by side.
    public func trainingCurves(_ history: [EpochRow], name: String = "training-curves") throws(ReportError) -> Chart {
        guard !history.isEmpty else {
            throw ReportError(kind: .invalidInput, subject: "history", detail: "no epochs to plot; train for at least one epoch")
        }
        func value(_ x: Double?) -> String { x.map { Format.fixed($0, 6) } ?? "?" }
        var data = "# epoch train_loss train_accuracy validation_loss validation_accuracy (accuracy as fraction; ? = none)\n"
        for row in history {
            data += "\(row.epoch) \(value(row.trainLoss)) \(value(row.trainAccuracy)) "
                + "\(value(row.validationLoss)) \(value(row.validationAccuracy))\n"
        }
        let hasValidation = history.contains { $0.validationLoss != nil || $0.validationAccuracy != nil }
        let first = history.map(\.epoch).min()!, last = history.map(\.epoch).max()!
        let xtics = last - first <= 20 ? "set xtics 1" : "set xtics"
        let style = "with linespoints lw 2 ps 0.9"
        var loss = "plot '\(name).dat' using 1:2 \(style) pt 7 lc rgb '\(Self.trainColour)' title 'training'"
        var accuracy = "plot '\(name).dat' using 1:($3*100) \(style) pt 7 lc rgb '\(Self.trainColour)' title 'training'"
        if hasValidation {
            loss += ", '' using 1:4 \(style) pt 5 lc rgb '\(Self.validationColour)' title 'validation'"
            accuracy += ", '' using 1:($5*100) \(style) pt 5 lc rgb '\(Self.validationColour)' title 'validation'"
        }
        let script = header(name: name, width: 1200, height: 460) + """
            set datafile missing '?'
            set multiplot layout 1,2 title 'Training history' font ',13'
            set grid lc rgb '#dddddd'
            set key top right box opaque
            set xlabel 'epoch'
            \(xtics)
            set xrange [\(Double(first) - 0.3):\(Double(last) + 0.3)]
            set title 'Loss (cross-entropy)'
            set ylabel 'loss'
            \(loss)
            set key bottom right box opaque
            set title 'Accuracy'
            set ylabel 'accuracy (%)'
            set format y '%.1f'
            \(accuracy)
            unset multiplot

            """
        return try render(name: name, script: script, data: data)
    }

    /// 10x10 heatmap, true class down, predicted class across, counts printed in the cells. The colour follows
    /// log10(1 + count) so that a handful of errors off the diagonal stands out against ~1000 on it.
    public func confusionMatrix(_ matrix: ConfusionMatrix, name: String = "confusion-matrix",
                                title: String = "Confusion matrix (test set)") throws(ReportError) -> Chart {
        let n = matrix.classCount
        let maxCount = max(1, matrix.counts.flatMap { $0 }.max() ?? 1)
        let top = log10(1 + Double(maxCount))
        var data = "# predicted true count log10(1+count); one block per true class\n"
        for t in 0..<n {
            for p in 0..<n {
                let count = matrix.counts[t][p]
                data += "\(p) \(t) \(count) \(Format.fixed(log10(1 + Double(count)), 6))\n"
            }
            data += "\n"
        }
        var ticks = ["'0' 0"]
        var decade = 1
        while Double(decade) <= Double(maxCount) {
            ticks.append("'\(decade)' \(Format.fixed(log10(1 + Double(decade)), 6))")
            decade *= 10
        }
        if decade / 10 < maxCount {
            ticks.append("'\(maxCount)' \(Format.fixed(top, 6))")
        }
        // Text turns white where the cell colour gets dark.
        let darkFrom = Format.fixed(0.55 * top, 6)
        let script = header(name: name, width: 820, height: 760) + """
            set title '\(Self.quoted(title))' font ',13'
            set xlabel 'predicted class'
            set ylabel 'true class'
            set xrange [-0.5:\(Double(n) - 0.5)]
            set yrange [\(Double(n) - 0.5):-0.5]
            set xtics 0,1,\(n - 1) scale 0
            set ytics 0,1,\(n - 1) scale 0
            set size ratio 1
            set cbrange [0:\(Format.fixed(top, 6))]
            set cbtics (\(ticks.joined(separator: ", ")))
            set cblabel 'count (log scale)'
            set palette defined (0 '#ffffff', 0.001 '#ffe98a', 0.3 '#fdae61', 0.65 '#e34a33', 1 '#7f0000')
            unset key
            plot '\(name).dat' using 1:2:4 with image, \\
                 '' using 1:2:(($3 > 0 && $4 <= \(darkFrom)) ? sprintf('%d', $3) : '') with labels font ',10' tc rgb 'black', \\
                 '' using 1:2:($4 > \(darkFrom) ? sprintf('%d', $3) : '') with labels font ',10' tc rgb 'white'

            """
        return try render(name: name, script: script, data: data)
    }

    /// Accuracy (recall) of each class as bars, the y axis zoomed to the range the values span so that
    /// differences of a fraction of a percent show; a dashed line marks the overall accuracy.
    public func perClassAccuracy(_ classes: [ClassMetrics], overall: Double,
                                 name: String = "per-class-accuracy") throws(ReportError) -> Chart {
        guard !classes.isEmpty else {
            throw ReportError(kind: .invalidInput, subject: "per-class metrics", detail: "no classes to plot")
        }
        var data = "# class accuracy_percent support\n"
        for c in classes {
            data += "\(c.label) \(Format.fixed(c.recall * 100, 4)) \(c.support)\n"
        }
        let low = min(classes.map { $0.recall * 100 }.min()!, overall * 100)
        let margin = max(0.5, (100 - low) * 0.5)
        let bottom = max(0, (low - margin).rounded(.down))
        // Headroom above 100% for the value labels.
        let top = 100 + (100 - bottom) * 0.1
        let script = header(name: name, width: 900, height: 480) + """
            set title 'Accuracy per class (test set); dashed line: overall \(Format.percent(overall))' font ',13'
            set xlabel 'class'
            set ylabel 'accuracy (%)'
            set xrange [-0.6:\(Double(classes.count) - 0.4)]
            set yrange [\(Format.fixed(bottom, 1)):\(Format.fixed(top, 2))]
            set xtics 0,1,\(classes.count - 1) scale 0
            set grid ytics lc rgb '#dddddd'
            set style fill solid 0.85 border lc rgb '#2b4f7a'
            set style textbox opaque noborder
            set boxwidth 0.7
            unset key
            overall = \(Format.fixed(overall * 100, 4))
            plot '\(name).dat' using 1:2 with boxes lc rgb '#4a7fb5', \\
                 overall with lines dt 2 lw 2 lc rgb '#d62728', \\
                 '\(name).dat' using 1:2:(sprintf('%.2f', $2)) with labels boxed offset 0,0.8 font ',10'

            """
        return try render(name: name, script: script, data: data)
    }

    /// Histogram of the confidence of correct and wrong predictions, side-by-side bars on a log count axis.
    public func confidenceHistogram(_ stats: ConfidenceStats, name: String = "confidence-histogram") throws(ReportError) -> Chart {
        let width = 1.0 / Double(stats.binCount)
        var data = "# bin_start bin_end correct wrong (? = none in the bin)\n"
        for i in 0..<stats.binCount {
            let correct = stats.correctHistogram[i], wrong = stats.wrongHistogram[i]
            data += "\(Format.fixed(Double(i) * width, 4)) \(Format.fixed(Double(i + 1) * width, 4)) "
                + "\(correct > 0 ? String(correct) : "?") \(wrong > 0 ? String(wrong) : "?")\n"
        }
        let highest = max(1, (stats.correctHistogram + stats.wrongHistogram).max() ?? 1)
        let bar = Format.fixed(width * 0.4, 4), shift = Format.fixed(width * 0.21, 4)
        let script = header(name: name, width: 900, height: 480) + """
            set title 'Confidence of predictions (test set)' font ',13'
            set datafile missing '?'
            set xlabel 'confidence (probability of the predicted class)'
            set ylabel 'predictions (log scale)'
            set logscale y
            set yrange [0.7:\(highest * 3)]
            set xrange [0:1]
            set xtics 0,0.1,1
            set grid ytics lc rgb '#dddddd'
            set style fill solid 0.8 border -1
            set key top left box opaque
            plot '\(name).dat' using (($1+$2)/2 - \(shift)):3:(\(bar)) with boxes lc rgb '#2ca02c' \
            title 'correct (\(stats.correct.count))', \\
                 '' using (($1+$2)/2 + \(shift)):4:(\(bar)) with boxes lc rgb '#d62728' title 'wrong (\(stats.wrong.count))'

            """
        return try render(name: name, script: script, data: data)
    }

    // MARK: composed digit images

    /// A grid of misclassified digits, each captioned `true→predicted` and the confidence.
    public func misclassifiedGrid(_ examples: [DigitExample], columns: Int = 10,
                                  name: String = "misclassified") throws(ReportError) -> Chart {
        let tiles = examples.map {
            DigitSheet.Tile(pixels: $0.pixels, caption: ["\($0.trueLabel)→\($0.predicted)", Self.percent($0.confidence)])
        }
        return try writeSheet(DigitSheet(columns: columns).compose(tiles), name: name)
    }

    /// A row of examples of one confusion, each captioned with the model's confidence.
    public func digitStrip(_ examples: [DigitExample], name: String) throws(ReportError) -> Chart {
        let tiles = examples.map { DigitSheet.Tile(pixels: $0.pixels, caption: [Self.percent($0.confidence)]) }
        return try writeSheet(DigitSheet(columns: max(1, examples.count), scale: 2).compose(tiles), name: name)
    }

    /// Feedback images with the true label (T), the old model's answer (B, before) and the new one's (A, after).
    public func feedbackGrid(_ images: [RetrainReportInput.FeedbackImage], columns: Int = 8,
                             name: String = "feedback") throws(ReportError) -> Chart {
        let tiles = images.map {
            DigitSheet.Tile(pixels: $0.pixels, caption: [
                "T\($0.trueLabel)",
                "B\($0.before.label) \(Self.percent($0.before.confidence))",
                "A\($0.after.label) \(Self.percent($0.after.confidence))",
            ])
        }
        return try writeSheet(DigitSheet(columns: columns, scale: 3).compose(tiles), name: name)
    }

    // MARK: plumbing

    /// Whole percent for captions; "99%" rather than "100%" unless it really is 1, so a sure-but-wrong
    /// answer never reads as certain.
    static func percent(_ confidence: Float) -> String {
        let value = Double(confidence) * 100
        let whole = value >= 100 ? 100 : min(99, Int(value.rounded()))
        return "\(whole)%"
    }

    /// `text` inside a single-quoted gnuplot string (a quote is doubled).
    static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "'", with: "''")
    }

    func header(name: String, width: Int, height: Int) -> String {
        """
        # Re-render: run `gnuplot \(name).gp` in this folder; it reads \(name).dat and writes \(name).png.
        set terminal pngcairo size \(width),\(height) font '\(Self.font)' noenhanced
        set output '\(name).png'

        """
    }

    func render(name: String, script: String, data: String) throws(ReportError) -> Chart {
        let png = folder.appendingPathComponent("\(name).png")
        let scriptURL = folder.appendingPathComponent("\(name).gp")
        let dataURL = folder.appendingPathComponent("\(name).dat")
        guard let gnuplot else {
            throw ReportError(kind: .gnuplotMissing, subject: name, detail: "no executable named gnuplot on PATH")
        }
        try write(Data(data.utf8), to: dataURL)
        try write(Data(script.utf8), to: scriptURL)
        // A PNG left by an earlier run must not pass for this run's output.
        try? FileManager.default.removeItem(at: png)
        try gnuplot.run(script: script, in: folder, chart: name)
        let size = (try? FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int) ?? 0
        guard size > 0 else {
            throw ReportError(kind: .gnuplotFailed, subject: name,
                              detail: "gnuplot exited normally but wrote no \(png.lastPathComponent) in \(folder.path)")
        }
        return Chart(name: name, png: png, script: scriptURL, data: dataURL)
    }

    private func writeSheet(_ image: GrayImage, name: String) throws(ReportError) -> Chart {
        let png = folder.appendingPathComponent("\(name).png")
        do {
            try PNG.write(image, to: png)
        } catch {
            throw ReportError(kind: .writeFailed, subject: png.path, detail: "\(error)")
        }
        return Chart(name: name, png: png, script: nil, data: nil)
    }

    private func write(_ data: Data, to url: URL) throws(ReportError) {
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw ReportError(kind: .writeFailed, subject: url.path, detail: "\(error)")
        }
    }
}
