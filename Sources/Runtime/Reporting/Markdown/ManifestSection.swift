import Foundation

/// The "Run manifest" section shared by both reports.
enum ManifestSection {
    static func render(_ manifest: RunManifest) -> String {
        var out = "## Run manifest\n\n"
        out += Markdown.table(["Field", "Value"], [.left, .left], [
            ["Workflow", manifest.workflow],
            ["Date (UTC)", manifest.isoDate],
            ["Git commit", manifest.gitCommit.map(Markdown.code) ?? "not in a git checkout"],
            ["Seed", manifest.seed.map(String.init) ?? "none"],
            ["Stepwise version", StepwiseVersion.current],
        ] + (manifest.cpu.map { [["CPU", $0]] } ?? [])
          + (manifest.engine.map { [["Runner and engine (cache keys)", $0]] } ?? []))
        out += "\n"
        if manifest.steps.isEmpty {
            out += "No steps were recorded.\n"
            return out
        }
        let rows = manifest.steps.map { step in
            [
                step.name,
                step.parameters.isEmpty ? "—" : step.parameters.map { Markdown.code("\($0.key)=\($0.value)") }
                    .joined(separator: " "),
                step.state == .finished ? Format.duration(step.seconds) : "—",
                result(step),
            ]
        }
        out += Markdown.table(["Step", "Parameters", "Time", "Result from"], [.left, .left, .right, .left], rows)
        let finished = manifest.steps.filter { $0.state == .finished }
        let total = finished.reduce(0) { $0 + $1.seconds }
        let cached = finished.count { $0.cached }
        let running = manifest.steps.first { $0.state == .running }
        out += "\nTotal time of the finished steps \(Format.duration(total))"
            + (running.map { " (\($0.name) was still running)" } ?? "")
            + "; \(cached) of \(manifest.steps.count) steps came from the cache.\n"
        return out
    }

    /// "Compared with the previous run": the parameters that changed since the newest earlier run with metrics,
    /// and the metrics' deltas. `metrics` is this run's metrics.json.
    static func comparison(_ manifest: RunManifest, metrics: Data?) -> String {
        var out = "## Compared with the previous run\n\n"
        guard let previous = manifest.previous else {
            return out + "No earlier run of \(manifest.workflow) with metrics is recorded.\n"
        }
        let (headline, perClass) = metrics.map(RunIndex.headline) ?? ([:], nil)
        var current = previous
        (current.id, current.parameters, current.metrics, current.perClass) = (manifest.runFolderName, manifest.parameters, headline, perClass)
        out += "Against run \(Markdown.code(previous.id)) (`stepwise diff` compares any two runs).\n\n"
        return out + RunComparison(old: previous, new: current).changesMarkdown
    }

    /// The pipeline as a Mermaid flowchart, each step marked ran, from cache or not run.
    static func graph(_ manifest: RunManifest) -> String {
        guard !manifest.edges.isEmpty else { return "" }
        return "\n## Pipeline\n\n" + manifest.graph.mermaid
    }

    private static func result(_ step: RunManifest.Step) -> String {
        switch step.state {
        case .finished: step.cached ? "cache" : "ran"
        case .running: "this step: running (writes this report; its time is in the log)"
        case .notRun: "not run"
        }
    }
}
