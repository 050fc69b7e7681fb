/// The grid of a sweep from its `--set` arguments: `--set train.lr=0.001,0.003 --set train.epochs=12,24` is two
/// axes of two values, four points. A `--set` with one value is fixed for every point. Points are numbered from 0,
/// the first axis varying slowest (0: lr 0.001 epochs 12; 1: lr 0.001 epochs 24; 2: lr 0.003 epochs 12 …).
/// Commas inside double quotes belong to the value. Each value is checked later, like any `--set`, when the
/// workflow is loaded with each point's overrides.
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
            let values = split(String(argument[argument.index(after: equals)...]))
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
