extension StepFingerprint {
    /// What differs from `before` (an earlier run's fingerprint of the same step, made by the same runner
    /// version), part by part, as the plan words it: the header part, each layer line, each parameter, the run
    /// seed, the thread count, each file. Empty when the two are equal.
    func changes(since before: StepFingerprint) -> [Reason] {
        var reasons = headerChanges(since: before.text)
        reasons += Self.layerChanges(from: before.layers, to: layers)
        let old = before.parameters, new = parameters
        for name in Set(old.keys).union(new.keys).sorted() {
            switch (old[name], new[name]) {
            case let (from?, to?) where from != to: reasons.append(.parameterChanged(name: name, from: from, to: to))
            case let (nil, to?): reasons.append(.parameterAdded(name: name, value: to))
            case let (from?, nil): reasons.append(.parameterRemoved(name: name, value: from))
            default: break
            }
        }
        if before.seed != seed {
            if let from = before.runSeed, let to = runSeed, from != to {
                reasons.append(.runSeedChanged(from: from, to: to))
            } else if before.parameters["seed"] == parameters["seed"] {
                // Not explained by the `seed` parameter (reported above) or the run seed.
                reasons.append(.seedChanged(from: before.seed.map(String.init) ?? "none", to: seed.map(String.init) ?? "none"))
            }
        }
        if before.threads != threads {
            reasons.append(.threadsChanged(from: before.threads.map(String.init) ?? "none",
                                           to: threads.map(String.init) ?? "none"))
        }
        for path in Set(before.files.keys).union(files.keys).sorted() where before.files[path] != files[path] {
            reasons.append(.fileChanged(path: path))
        }
        return reasons
    }

    /// The header parts that differ. `text` is `Step.canonicalHeader`: `kind a, b -> c, d`.
    private func headerChanges(since old: String) -> [Reason] {
        guard old != text else { return [] }
        guard let before = Self.headerParts(old), let after = Self.headerParts(text) else {
            return [.headerChanged(part: "header", from: "\"\(old)\"", to: "\"\(text)\"")]
        }
        var reasons: [Reason] = []
        let list = { (names: [String]) in names.isEmpty ? "none" : names.joined(separator: ", ") }
        if before.kind != after.kind { reasons.append(.headerChanged(part: "kind", from: before.kind, to: after.kind)) }
        if before.inputs != after.inputs {
            reasons.append(.headerChanged(part: "inputs", from: list(before.inputs), to: list(after.inputs)))
        }
        if before.outputs != after.outputs {
            reasons.append(.headerChanged(part: "outputs", from: list(before.outputs), to: list(after.outputs)))
        }
        return reasons
    }

    private static func headerParts(_ header: String) -> (kind: String, inputs: [String], outputs: [String])? {
        let sides = header.split(separator: " -> ", omittingEmptySubsequences: false)
        guard (1...2).contains(sides.count) else { return nil }
        let left = sides[0].split(separator: " ", maxSplits: 1)
        guard let kind = left.first else { return nil }
        let names = { (part: Substring?) in part.map { $0.split(separator: ", ").map(String.init) } ?? [] }
        return (String(kind), names(left.count > 1 ? left[1] : nil), names(sides.count > 1 ? sides[1] : nil))
    }

    /// Layer lines changed, added or removed, by 1-based position. The lines both lists keep are matched (a
    /// longest common subsequence); between two matches, old and new lines are paired as changed, and the rest
    /// are added (numbered as in the new list) or removed (numbered as in the old).
    static func layerChanges(from old: [String], to new: [String]) -> [Reason] {
        // common[i][j]: the longest common subsequence of old[i...] and new[j...].
        var common = [[Int]](repeating: [Int](repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in old.indices.reversed() {
            for j in new.indices.reversed() {
                common[i][j] = old[i] == new[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var reasons: [Reason] = []
        var removed: [Int] = [], added: [Int] = []
        func flushGap() {
            let paired = min(removed.count, added.count)
            for k in 0..<paired {
                reasons.append(.layerChanged(index: added[k] + 1, from: old[removed[k]], to: new[added[k]]))
            }
            reasons += added.dropFirst(paired).map { .layerAdded(index: $0 + 1, layer: new[$0]) }
            reasons += removed.dropFirst(paired).map { .layerRemoved(index: $0 + 1, layer: old[$0]) }
            removed = []
            added = []
        }
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                flushGap()
                i += 1
                j += 1
            } else if j < new.count, i == old.count || common[i][j + 1] >= common[i + 1][j] {
                added.append(j)
                j += 1
            } else {
                removed.append(i)
                i += 1
            }
        }
        flushGap()
        return reasons
    }
}
