/// Small GitHub-flavoured Markdown builders.
enum Markdown {
    enum Alignment { case left, right }

    /// A pipe table. Cells are escaped, so values containing `|` cannot break the table.
    static func table(_ header: [String], _ alignments: [Alignment], _ rows: [[String]]) -> String {
        func line(_ cells: [String]) -> String { "| " + cells.map(escapeCell).joined(separator: " | ") + " |" }
        let rule = "|" + alignments.map { $0 == .right ? "---:|" : "---|" }.joined()
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    static func escapeCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// Inline code that survives backticks in the text.
    static func code(_ text: String) -> String {
        text.contains("`") ? "`` \(text) ``" : "`\(text)`"
    }

    static func image(_ alt: String, _ path: String) -> String {
        "![\(alt.replacingOccurrences(of: "]", with: ")"))](\(path))"
    }

    /// A model's layers as a table: index, layer, output shape for one image, parameters.
    static func layerTable(_ model: ModelSummary) -> String {
        let rows = model.rows.enumerated().map { index, row in
            [String(index), row.name, row.outputShape.map(String.init).joined(separator: "×"), Format.grouped(row.parameters)]
        }
        return table(["#", "Layer", "Output shape", "Parameters"], [.right, .left, .left, .right], rows)
    }
}
