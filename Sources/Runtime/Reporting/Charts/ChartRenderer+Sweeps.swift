import Foundation

extension ChartRenderer {
    /// One point of a sweep as a chart sees it: its value on the charted axis, the other axes' values (which
    /// line it is on), and its test accuracy (a fraction).
    public struct SweepPoint: Sendable, Equatable {
        public var value: String
        public var others: String
        public var accuracy: Double

        public init(value: String, others: String, accuracy: Double) {
            self.value = value
            self.others = others
            self.accuracy = accuracy
        }
    }

    /// Test accuracy against one swept parameter: one line per combination of the other parameters. Numeric
    /// values are placed by value (on a log scale when they span a factor of 10 or more, as learning rates do);
    /// other values are placed in the order given, each labelled.
    public func sweepAxis(_ points: [SweepPoint], parameter: String, order: [String], name: String) throws(ReportError) -> Chart {
        guard !points.isEmpty else {
            throw ReportError(kind: .invalidInput, subject: parameter, detail: "no point of the sweep has a test accuracy")
        }
        let numbers = order.compactMap(Double.init)
        let numeric = numbers.count == order.count
        let logScale = numeric && numbers.allSatisfy { $0 > 0 } && numbers.max()! / numbers.min()! >= 10
        func x(_ value: String) -> String {
            numeric ? value : String((order.firstIndex(of: value) ?? 0) + 1)
        }
        let lines = points.map(\.others).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var data = "# \(parameter) test_accuracy_percent \"label\"; one block per combination of the other parameters\n"
        var plots: [String] = []
        for (i, line) in lines.enumerated() {
            data += "# \(line.isEmpty ? "all points" : line)\n"
            let members = points.filter { $0.others == line }
                .sorted { (order.firstIndex(of: $0.value) ?? 0) < (order.firstIndex(of: $1.value) ?? 0) }
            for point in members {
                data += "\(x(point.value)) \(Format.fixed(point.accuracy * 100, 4)) \"\(point.value.replacingOccurrences(of: "\"", with: "'"))\"\n"
            }
            data += "\n\n"
            let title = line.isEmpty ? "test accuracy" : line.replacingOccurrences(of: "'", with: "")
            plots.append("'\(name).dat' index \(i) using 1:2\(numeric ? "" : ":xtic(3)") with linespoints lw 2 pt 7 ps 1.2 title '\(title)'")
        }
        let values = points.map { $0.accuracy * 100 }
        let (low, high) = (values.min()!, values.max()!)
        let margin = max(0.5, (high - low) * 0.15)
        var axis = ""
        if logScale {
            axis = "set logscale x\nset xrange [\(numbers.min()! / 1.5):\(numbers.max()! * 1.5)]\nset xtics (\(order.map { "'\($0)' \($0)" }.joined(separator: ", ")))\n"
        } else if numeric {
            let span = max(numbers.max()! - numbers.min()!, 1e-9)
            axis = "set xrange [\(numbers.min()! - span * 0.1):\(numbers.max()! + span * 0.1)]\nset xtics (\(order.map { "'\($0)' \($0)" }.joined(separator: ", ")))\n"
        } else {
            axis = "set xrange [0.5:\(Double(order.count) + 0.5)]\n"
        }
        let script = header(name: name, width: 900, height: 520) + """
            set title 'Test accuracy against \(parameter)' font ',13'
            set xlabel '\(parameter)'
            set ylabel 'test accuracy (%)'
            set yrange [\(Format.fixed(max(0, low - margin), 2)):\(Format.fixed(min(100, high + margin), 2))]
            set grid lc rgb '#dddddd'
            set key outside right top box
            \(axis)plot \(plots.joined(separator: ", \\\n     "))

            """
        return try render(name: name, script: script, data: data)
    }
}
