import Foundation

/// The grid of a sweep from its `--set` arguments: `--set train.lr=0.001,0.003 --set train.epochs=12,24` is two
/// axes of two values, four points. A `--set` with one value is fixed for every point. Points are numbered from 0,
/// the first axis varying slowest (0: lr 0.001 epochs 12; 1: lr 0.001 epochs 24; 2: lr 0.003 epochs 12 …).
/// Commas inside double quotes belong to the value. A value list can also be written as `range(a, b[, step])`
/// (whole numbers from a up to, not including, b, as Python's), `linspace(a, b, n)` (n values evenly spaced from a
/// to b) or `geomspace(a, b, n)` (n values from a to b, each the same factor apart: learning rates). Each value is
/// checked later, like any `--set`, when the workflow is loaded with each point's overrides.
public struct SweepGrid: Sendable, Equatable, Codable {
    public struct Axis: Sendable, Equatable, Codable {
        /// `step.key`.
        public var parameter: String
        public var values: [String]
    }

    /// At most this many points: a typo like `--set a=1,2,…` in several axes should not queue thousands of runs.
    public static let maximumPoints = 1000

    public var axes: [Axis]
    /// `step.key=value` overrides every point shares.
    public var fixed: [String]

    public init(axes: [Axis], fixed: [String]) {
        self.axes = axes
        self.fixed = fixed
    }

    public static func parse(_ arguments: [String]) throws(SweepError) -> SweepGrid {
        var axes: [Axis] = []
        var fixed: [String] = []
        var seen: Set<String> = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw SweepError(.usage, "--set \(argument): write --set STEP.KEY=VALUE[,VALUE…], e.g. --set train.lr=0.001,0.003")
            }
            let parameter = argument[..<equals].trimmingCharacters(in: .whitespaces)
            guard parameter.contains("."), seen.insert(parameter).inserted else {
                throw SweepError(.usage, parameter.contains(".")
                    ? "--set \(parameter) is given twice; list its values in one --set, separated by commas"
                    : "--set \(argument): missing step name; write --set STEP.KEY=VALUE[,VALUE…]")
            }
            let text = String(argument[argument.index(after: equals)...])
            let values = try generated(text, in: argument) ?? split(text)
            guard !values.isEmpty, !values.contains(where: \.isEmpty) else {
                throw SweepError(.usage, "--set \(argument): an empty value; separate values with single commas")
            }
            if values.count == 1 {
                fixed.append("\(parameter)=\(values[0])")
            } else {
                guard Set(values).count == values.count else {
                    throw SweepError(.usage, "--set \(argument): a value is listed twice")
                }
                axes.append(Axis(parameter: parameter, values: values))
            }
        }
        let grid = SweepGrid(axes: axes, fixed: fixed)
        guard !axes.isEmpty else {
            throw SweepError(.usage, "nothing to sweep: give at least one --set with several values, e.g. --set train.lr=0.001,0.003")
        }
        guard grid.count <= maximumPoints else {
            throw SweepError(.usage, "the grid has \(grid.count) points, more than \(maximumPoints)")
        }
        return grid
    }

    /// The values of `range(…)`, `linspace(…)` or `geomspace(…)`; nil when `text` is none of them.
    static func generated(_ text: String, in argument: String) throws(SweepError) -> [String]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") else { return nil }
        let name = String(trimmed[..<open])
        guard ["range", "linspace", "geomspace"].contains(name) else { return nil }
        let inside = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        let numbers = inside.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func fail(_ why: String) -> SweepError {
            SweepError(.usage, "--set \(argument): \(why); write range(a, b[, step]), linspace(a, b, n) or geomspace(a, b, n)")
        }
        if name == "range" {
            let ints = numbers.compactMap { Int($0.replacingOccurrences(of: "_", with: "")) }
            guard (2...3).contains(numbers.count), ints.count == numbers.count else {
                throw fail("range takes two or three whole numbers")
            }
            let step = ints.count == 3 ? ints[2] : 1
            guard step != 0 else { throw fail("a range's step cannot be 0") }
            let values = Array(stride(from: ints[0], to: ints[1], by: step))
            guard values.count >= 2, values.count <= maximumPoints else {
                throw fail("range(\(inside)) gives \(values.count) values; a swept parameter needs 2 to \(maximumPoints)")
            }
            return values.map(String.init)
        }
        guard numbers.count == 3, let a = Double(numbers[0]), let b = Double(numbers[1]), let n = Int(numbers[2]),
              a.isFinite, b.isFinite else {
            throw fail("\(name) takes two numbers and a count")
        }
        guard (2...maximumPoints).contains(n) else { throw fail("the count must be 2 to \(maximumPoints), not \(n)") }
        guard a != b else { throw fail("the two ends are the same") }
        if name == "geomspace", !(a > 0 && b > 0) {
            throw fail("geomspace needs two positive ends (their ratio is split into equal factors)")
        }
        let values = (0..<n).map { i -> Double in
            let t = Double(i) / Double(n - 1)
            if i == n - 1 { return b }
            return name == "linspace" ? a + (b - a) * t : a * pow(b / a, t)
        }
        let formatted = values.map(decimal)
        guard Set(formatted).count == n else { throw fail("\(n) values between \(numbers[0]) and \(numbers[1]) are too close to tell apart") }
        return formatted
    }

    /// A generated value as a parameter reads it: whole numbers without a point, others to six significant digits
    /// without trailing zeros (0.000316228, not 0.00031622776601683794).
    static func decimal(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        let digits = max(0, 5 - Int(log10(abs(x)).rounded(.down)))
        var text = String(format: "%.\(digits)f", x)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Splits on commas outside double quotes, trimming spaces around each value.
    static func split(_ text: String) -> [String] {
        var values: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\" where quoted: current.append(character); escaped = true
            case "\"": current.append(character); quoted.toggle()
            case "," where !quoted: values.append(current); current = ""
            default: current.append(character)
            }
        }
        values.append(current)
        return values.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// The value of each axis at point `index`, in axis order.
    public func values(ofPoint index: Int) -> [String] {
        var rest = index
        var values: [String] = []
        for axis in axes.reversed() {
            values.append(axis.values[rest % axis.values.count])
            rest /= axis.values.count
        }
        return values.reversed()
    }

    /// Every `--set` of point `index`: the fixed ones, then one per axis.
    public func overrides(ofPoint index: Int) -> [String] {
        fixed + zip(axes, values(ofPoint: index)).map { "\($0.parameter)=\($1)" }
    }

    /// `train.lr=0.001, train.epochs=12`: what sets point `index` apart.
    public func label(ofPoint index: Int) -> String {
        zip(axes, values(ofPoint: index)).map { "\($0.parameter)=\($1)" }.joined(separator: ", ")
    }
}
