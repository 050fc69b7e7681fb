extension StepSchema {
    /// Markers around the generated section in docs/DSL.md.
    public static let referenceBeginMarker = "<!-- BEGIN GENERATED STEP REFERENCE: StepSchema.markdownReference() -->"
    public static let referenceEndMarker = "<!-- END GENERATED STEP REFERENCE -->"

    /// The step reference of docs/DSL.md, generated from the schema so the two cannot drift apart: for every
    /// kind its header signature, slots, the files it reads, and a table of its parameters.
    public func markdownReference() -> String {
        var out = ""
        for schema in all {
            out += "### \(schema.kind.rawValue)\n\n"
            out += schema.summary + "\n\n"
            out += "    " + schema.signature + "\n\n"
            if schema.inputs.isEmpty {
                out += "Inputs: none.\n\n"
            } else {
                out += "Inputs:\n\n"
                for (index, slot) in schema.inputs.enumerated() {
                    out += "\(index + 1). `\(slot)`: \(slot.doc)\(slot.isOptional ? " (optional)" : "")\n"
                }
                out += "\n"
            }
            out += "Outputs:\n\n"
            for (index, slot) in schema.outputs.enumerated() {
                out += "\(index + 1). `\(slot)`: \(slot.doc)\n"
            }
            out += "\n"
            if let files = schema.reads {
                out += "Also reads \(files). Changing what it reads reruns the step.\n\n"
            }
            out += schema.determinism + "\n\n"
            if schema.body == .layers {
                out += "Body: layer lines (see [Layer lines](#layer-lines)), and these parameters:\n\n"
            }
            out += "| Parameter | Type | Default | Meaning |\n"
            out += "|---|---|---|---|\n"
            for spec in schema.parameters {
                out += "| `\(spec.name)` | \(spec.type.shortName) | `\(spec.defaultValue)` | \(spec.doc) |\n"
            }
            out += "\n"
        }
        return out
    }
}

extension KindSchema {
    /// What besides its inputs and parameters decides the step's results, for the reference: the seed, the
    /// thread count.
    var determinism: String {
        let ownSeed = parameter(named: "seed") != nil ? " (unless its `seed` parameter names one)" : ""
        var out = usesSeed
            ? "Uses randomness: its seed is derived from the run seed (`--seed`) and the step's name\(ownSeed), and is "
                + "part of its cache key."
            : "Uses no randomness: `--seed` does not change its results or its cache key."
        if usesThreads {
            let own = parameter(named: "threads") != nil ? "its `threads` parameter, or else `--threads`" : "`--threads`"
            out += " Its results depend on the thread count (sums split across threads round differently), so the "
                + "thread count (\(own)) is part of its cache key."
        }
        return out
    }
}
