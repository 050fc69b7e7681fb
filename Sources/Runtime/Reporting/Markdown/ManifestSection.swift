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
        ])
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
                Format.duration(step.seconds),
                step.cached ? "cache" : "ran",
            ]
        }
        out += Markdown.table(["Step", "Parameters", "Time", "Result from"], [.left, .left, .right, .left], rows)
        let total = manifest.steps.reduce(0) { $0 + $1.seconds }
        let cached = manifest.steps.count { $0.cached }
        out += "\nTotal step time \(Format.duration(total)); \(cached) of \(manifest.steps.count) steps came from the cache.\n"
        return out
    }
}
