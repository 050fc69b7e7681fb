import Foundation
import StepwiseErrors

/// What differs between two runs of a workflow, from their index lines: parameters (old -> new), headline
/// metrics and per-class accuracy with deltas, and which steps the newer run computed and why.
public struct RunComparison: Sendable, Equatable {
    public struct Change: Sendable, Equatable {
        public var key: String
        public var old: String?
        public var new: String?
    }

    public struct Delta: Sendable, Equatable {
        public var name: String
        public var old: Double?
        public var new: Double?
        public var delta: Double? { old.flatMap { o in new.map { $0 - o } } }
    }

    public var old: RunIndexEntry
    public var new: RunIndexEntry
    public var parameters: [Change]
    public var metrics: [Delta]
    /// Per-class accuracy (recall), by label, for the classes whose accuracy changed.
    public var perClass: [Delta]
    /// The steps the newer run computed, with the plan's reason.
    public var reran: [(step: String, reason: String)]

    public static func == (a: Self, b: Self) -> Bool {
        a.old == b.old && a.new == b.new
    }

    public init(old: RunIndexEntry, new: RunIndexEntry) {
        self.old = old
        self.new = new
        parameters = Self.changes(from: old, to: new)
        metrics = Set(old.metrics.keys).union(new.metrics.keys).sorted().map {
            Delta(name: $0, old: old.metrics[$0], new: new.metrics[$0])
        }
        let (a, b) = (old.perClass ?? [:], new.perClass ?? [:])
        perClass = Set(a.keys).union(b.keys).sorted { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }
            .map { Delta(name: $0, old: a[$0], new: b[$0]) }
            .filter { $0.old != $0.new }
        reran = new.computed.indices.map { (new.computed[$0], $0 < new.reasons.count ? new.reasons[$0] : "") }
    }

    /// Parameters whose value differs, by `step.key`, sorted. Lists of `step.key=value`, as the index has them.
    public static func changes(from old: RunIndexEntry, to new: RunIndexEntry) -> [Change] {
        guard old.parameters != new.parameters else { return [] }
        // Usually the same keys in the same places: compare only the lines that differ.
        if old.parameters.count == new.parameters.count {
            let split = { (item: String) -> (Substring, Substring) in
                let eq = item.firstIndex(of: "=") ?? item.endIndex
                return (item[..<eq], eq == item.endIndex ? "" : item[item.index(after: eq)...])
            }
            var found: [Change] = []
            for (a, b) in zip(old.parameters, new.parameters) where a != b {
                let (ka, va) = split(a), (kb, vb) = split(b)
                guard ka == kb else { return changes(from: old.parameterValues, to: new.parameterValues) }
                found.append(Change(key: String(ka), old: String(va), new: String(vb)))
            }
            return found
        }
        return changes(from: old.parameterValues, to: new.parameterValues)
    }

    public static func changes(from old: [String: String], to new: [String: String]) -> [Change] {
        Set(old.keys).union(new.keys).sorted().compactMap { key in
            old[key] == new[key] ? nil : Change(key: key, old: old[key], new: new[key])
        }
    }

    /// `train.lr 0.001 -> 0.003`; a parameter only one side has shows `-` on the other.
    public static func describe(_ change: Change) -> String {
        "\(change.key) \(change.old ?? "-") -> \(change.new ?? "-")"
    }

    /// Accuracy as a percent with two decimals, losses with four; deltas signed (`+0.12 pt`).
    public static func format(_ name: String, _ value: Double?) -> String {
        guard let value else { return "-" }
        return name.contains("accuracy") || name.hasPrefix("class ")
            ? String(format: "%.2f%%", value * 100) : String(format: "%.4f", value)
    }

    public static func formatDelta(_ name: String, _ delta: Double?) -> String {
        guard let delta else { return "-" }
        return name.contains("accuracy") || name.hasPrefix("class ")
            ? String(format: "%+.2f pt", delta * 100) : String(format: "%+.4f", delta)
    }

    /// Plain text, for the terminal.
    public var text: String {
        var lines = ["run \(old.id) -> run \(new.id)", "", "parameters:"]
        lines += parameters.isEmpty ? ["  none changed"] : parameters.map { "  " + Self.describe($0) }
        lines += ["", "metrics:"]
        lines += metrics.isEmpty ? ["  none recorded"] : metrics.map {
            "  \($0.name): \(Self.format($0.name, $0.old)) -> \(Self.format($0.name, $0.new)) (\(Self.formatDelta($0.name, $0.delta)))"
        }
        if !perClass.isEmpty {
            lines += ["", "per-class accuracy (changed classes):"]
            lines += perClass.map {
                "  \($0.name): \(Self.format("accuracy", $0.old)) -> \(Self.format("accuracy", $0.new)) (\(Self.formatDelta("accuracy", $0.delta)))"
            }
        }
        lines += ["", "steps run again:"]
        lines += reran.isEmpty ? ["  none: every step came from the cache"] : reran.map { "  \($0.step): \($0.reason)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Markdown tables for a pull request.
    public var markdown: String {
        "### Run \(old.id) → \(new.id)\n\n" + changesMarkdown + "\n" + stepsMarkdown
    }

    /// The parameter, metric and per-class tables.
    public var changesMarkdown: String {
        var lines: [String] = []
        if parameters.isEmpty {
            lines.append("No parameter changed.")
        } else {
            lines += ["| Parameter | Old | New |", "|---|---|---|"]
            lines += parameters.map { "| `\($0.key)` | \($0.old ?? "-") | \($0.new ?? "-") |" }
        }
        lines += ["", "| Metric | Old | New | Change |", "|---|---:|---:|---:|"]
        lines += metrics.map {
            "| \($0.name) | \(Self.format($0.name, $0.old)) | \(Self.format($0.name, $0.new)) | \(Self.formatDelta($0.name, $0.delta)) |"
        }
        if !perClass.isEmpty {
            lines += ["", "| Class | Old accuracy | New accuracy | Change |", "|---|---:|---:|---:|"]
            lines += perClass.map {
                "| \($0.name) | \(Self.format("accuracy", $0.old)) | \(Self.format("accuracy", $0.new)) | \(Self.formatDelta("accuracy", $0.delta)) |"
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The steps the newer run computed, and why.
    public var stepsMarkdown: String {
        var lines = ["| Step run again | Why |", "|---|---|"]
        lines += reran.isEmpty ? ["| (none) | every step came from the cache |"]
            : reran.map { "| \($0.step) | \($0.reason.replacingOccurrences(of: "|", with: "\\|")) |" }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A run `stepwise diff` or `stepwise runs` was asked for is not in the workflow's index.
public struct RunNotFound: Error, CustomStringConvertible, Sendable {
    public let description: String
}

extension RunComparison {
    /// `stepwise diff [A] [B]` of `history`: no id, the latest run that had a plan against the one before it; one
    /// id, that run against the one before it; two, A against B. An id may be given as a unique prefix, and in its
    /// folder form (dashes for colons).
    public static func between(_ a: String?, _ b: String?, in history: RunHistory) throws -> RunComparison {
        let workflow = history.workflowURL.lastPathComponent
        if a == nil, b == nil {
            // The common case reads only the end of the index.
            let last = RunIndex(history: history).latest(2)
            guard last.count == 2 else {
                throw RunNotFound(description: "\(workflow) has \(last.isEmpty ? "no runs" : "one run") in its index; diff needs two")
            }
            return RunComparison(old: last[0], new: last[1])
        }
        let entries = try RunIndex(history: history).entries().filter { !$0.parameters.isEmpty }
        func find(_ id: String) throws -> Int {
            let matches = entries.indices.filter {
                entries[$0].id == id || Timestamp.folderName(forID: entries[$0].id) == id
            }
            let prefixed = matches.isEmpty ? entries.indices.filter {
                entries[$0].id.hasPrefix(id) || Timestamp.folderName(forID: entries[$0].id).hasPrefix(id)
            } : matches
            guard prefixed.count == 1 else {
                throw RunNotFound(description: prefixed.isEmpty
                    ? "no run \(id) of \(workflow) in \(RunIndex(history: history).url.path); `stepwise runs \(workflow)` lists them"
                    : "\(id) names \(prefixed.count) runs of \(workflow); give more of the id")
            }
            return prefixed[0]
        }
        switch (a, b) {
        case let (a?, b?):
            return RunComparison(old: entries[try find(a)], new: entries[try find(b)])
        case let (a, b):
            // One id (the other is nil: both nil was handled above): that run against the one before it.
            let i = try find(a ?? b ?? "")
            guard i > 0 else { throw RunNotFound(description: "run \(entries[i].id) is the first run of \(workflow); give a second run to compare with") }
            return RunComparison(old: entries[i - 1], new: entries[i])
        }
    }
}

extension RunNotFound: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}
