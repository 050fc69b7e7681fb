/// Text the training and comparison reports share.
enum ReportText {
    /// A class as the tables show it: the digit, or `6 Shirt` when the dataset names its classes.
    static func classLabel(_ c: Int, names: [String]?) -> String {
        guard let names, names.indices.contains(c) else { return String(c) }
        return "\(c) \(names[c])"
    }

    /// Under the headline when the classes are not digits: which label is which (the charts show the numbers).
    static func classLegend(_ names: [String]?) -> String {
        guard let names else { return "" }
        return "\nClasses (the charts label them by number): "
            + names.indices.map { "\($0) \(names[$0])" }.joined(separator: ", ") + ".\n"
    }

    /// The closing "Files" section.
    static let files = "## Files\n\n"
        + "Each chart in `charts/` has its gnuplot script (`.gp`) and data (`.dat`) beside it; run "
        + "`gnuplot <name>.gp` inside `charts/` to restyle or re-render. All numbers are in "
        + "[metrics.json](metrics.json).\n"
}
