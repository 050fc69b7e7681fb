import Foundation

extension ChartRenderer {
    /// Test accuracy of each run that has one, oldest first, as points joined by a line (one line per model for a
    /// comparison's runs); each run's label on the x axis is what changed since the run before it (its
    /// parameters), or its start time when nothing did.
    public func accuracyAcrossRuns(_ rows: [RunTable.Row], workflow: String,
                                   name: String = "accuracy-across-runs") throws(ReportError) -> Chart {
        // The series: the run's accuracy, or, when no run has one, each compared model's.
        let single = rows.contains { $0.testAccuracy != nil }
        let names = single ? ["test accuracy"] : Array(Set(rows.flatMap { $0.modelAccuracies?.keys.map { $0 } ?? [] })).sorted()
        func values(_ row: RunTable.Row) -> [Double?] {
            single ? [row.testAccuracy] : names.map { row.modelAccuracies?[$0] }
        }
        let runs = rows.filter { values($0).contains { $0 != nil } }
        guard !runs.isEmpty else {
            throw ReportError(kind: .invalidInput, subject: "runs of \(workflow)", detail: "no run has a test accuracy yet")
        }
        var data = "# run " + names.map { "\"\($0) (%)\"" }.joined(separator: " ") + " \"label: what changed since the run before\" (? = none)\n"
        var labels: [Int] = []
        for (i, row) in runs.enumerated() {
            let what = row.changed.isEmpty ? (i == 0 ? "first" : "no change") : row.changed.joined(separator: ", ")
            let label = "\(row.id.dropFirst(5).prefix(11).replacingOccurrences(of: "T", with: " ")) \(what)"
                .replacingOccurrences(of: "\"", with: "'")
            data += "\(i + 1) " + values(row).map { $0.map { Format.fixed($0 * 100, 4) } ?? "?" }.joined(separator: " ") + " \"\(label)\"\n"
            labels.append(min(90, label.count))
        }
        let all = runs.flatMap { values($0).compactMap { $0 } }.map { $0 * 100 }
        let (low, high) = (all.min()!, all.max()!)
        let margin = max(0.1, (high - low) * 0.15)
        // Room at the left and bottom, in pixels, for the labels slanted by 30 degrees, each ending at its tick
        // (about 6 px a character at 9 points); the plot itself keeps 380 px of height.
        let (left, bottom) = (max(90, (labels.first ?? 0) * 5 + 10), (labels.max() ?? 0) * 3 + 30)
        let width = min(4000, max(900, left + 120 * runs.count + 40))
        let height = 380 + bottom + 40
        let labelColumn = names.count + 2
        let colours = Self.comparisonColours
        let lines = names.indices.map { k in
            let source = k == 0 ? "'\(name).dat'" : "''"
            let xtic = k == 0 ? ":xtic(\(labelColumn))" : ""
            let title = single ? "notitle" : "title '\(Self.quoted(names[k]))'"
            return "\(source) using 1:\(k + 2)\(xtic) with linespoints lw 2 pt 7 ps 1.2 lc rgb '\(colours[k % colours.count])' \(title), \\\n"
                + "     '' using 1:\(k + 2):(sprintf('%.2f', $\(k + 2))) with labels offset 0,\(k % 2 == 0 ? 1 : -1) font ',9' notitle"
        }
        let script = header(name: name, width: width, height: height) + """
            set title 'Test accuracy across runs of \(Self.quoted(workflow)); each run: its UTC start and what changed since the run before' font ',12'
            set datafile missing '?'
            set ylabel 'test accuracy (%)'
            set xrange [0.5:\(Double(runs.count) + 0.5)]
            set yrange [\(Format.fixed(max(0, low - margin), 2)):\(Format.fixed(min(100, high + margin) + margin * 0.5, 2))]
            set xtics rotate by 30 right font ',9' scale 0
            set grid ytics lc rgb '#dddddd'
            set lmargin at screen \(Format.fixed(Double(left) / Double(width), 4))
            set bmargin at screen \(Format.fixed(Double(bottom) / Double(height), 4))
            set rmargin at screen \(Format.fixed(1 - 30 / Double(width), 4))
            set tmargin at screen \(Format.fixed(1 - 40 / Double(height), 4))
            \(single ? "unset key" : "set key top left box opaque reverse Left width 1")
            plot \(lines.joined(separator: ", \\\n     "))

            """
        return try render(name: name, script: script, data: data)
    }
}
