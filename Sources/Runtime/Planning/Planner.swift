/// Decides, without touching the file system, what each step of a run does: come from the cache, run (and why),
/// or be skipped. The cache's answer comes in as a function, so tests pass a dictionary.
public struct Planner: Sendable {
    public var workflow: String
    public var steps: [PlanStep]
    public var runnerVersion: String
    public var previous: PreviousRun?
    public var mode: PlanMode
    /// The command line a message suggests for a mode, with the user's overrides and options
    /// (`RunOptions.command(mode:)`); the planner does not format commands itself.
    public var command: @Sendable (PlanMode) -> String

    public init(workflow: String, steps: [PlanStep], runnerVersion: String = StepwiseVersion.withEngine,
                previous: PreviousRun?, mode: PlanMode = .all,
                command: (@Sendable (PlanMode) -> String)? = nil) {
        self.workflow = workflow
        self.steps = steps
        self.runnerVersion = runnerVersion
        self.previous = previous
        self.mode = mode
        self.command = command ?? { RunOptions.command(workflow: workflow, mode: $0) }
    }

    /// Every step's key, in workflow order. A key is built from the keys of the steps it reads, so keys are
    /// computed front to back.
    public func keys() throws(PlanError) -> [CacheKey] {
        var index: [String: Int] = [:]
        var keys: [CacheKey] = []
        for (position, step) in steps.enumerated() {
            guard index[step.name] == nil else {
                throw PlanError(.duplicateStep, "workflow \(workflow) has two steps named \(step.name); rename one")
            }
            var inputKeys: [CacheKey] = []
            for input in step.inputs {
                guard let producer = index[input.producer] else {
                    if steps.contains(where: { $0.name == input.producer }) {
                        throw PlanError(.producerAfterConsumer, "step \(step.name) reads \(input.artifact) from "
                            + "\(input.producer), which comes later in workflow \(workflow); move \(input.producer) before \(step.name)")
                    }
                    throw PlanError(.unknownProducer, "step \(step.name) reads \(input.artifact) from \(input.producer), "
                        + "but workflow \(workflow) has no step \(input.producer) (steps: \(names))")
                }
                inputKeys.append(keys[producer])
            }
            keys.append(CacheKey(fingerprint: step.fingerprint, inputKeys: inputKeys, runnerVersion: runnerVersion))
            index[step.name] = position
        }
        return keys
    }

    /// The plan. `cachedRun(key)` is the id of the run that made the verified cache entry `key`, or nil.
    public func plan(cachedRun: (CacheKey) -> String?) throws(PlanError) -> Plan {
        let keys = try keys()
        let position = Dictionary(uniqueKeysWithValues: steps.enumerated().map { ($1.name, $0) })
        var actions = [StepAction](repeating: .skip, count: steps.count)

        func cachedOrRun(_ i: Int) -> StepAction {
            if let run = cachedRun(keys[i]) { return .cached(key: keys[i], runID: run) }
            return .run(key: keys[i], reasons: reasons(i, keys: keys, position: position))
        }

        switch mode {
        case .all:
            for i in steps.indices { actions[i] = cachedOrRun(i) }
            if actions.contains(where: { if case .run = $0 { true } else { false } }),
               let replay = previousRunOfOwnOutput(cachedRun: cachedRun) {
                return replay
            }

        case .force:
            for i in steps.indices { actions[i] = .run(key: keys[i], reasons: [.forced]) }

        case .from(let name):
            let start = try find(name, option: "--from")
            var needed = Set<Int>()
            for i in start..<steps.count {
                actions[i] = .run(key: keys[i], reasons: [.forced])
                for input in steps[i].inputs { needed.insert(position[input.producer]!) }
            }
            // Walk back: a needed step that is not cached runs, and then its own inputs are needed.
            for i in stride(from: start - 1, through: 0, by: -1) where needed.contains(i) {
                actions[i] = cachedOrRun(i)
                if case .run = actions[i] {
                    for input in steps[i].inputs { needed.insert(position[input.producer]!) }
                }
            }

        case .only(let name):
            let target = try find(name, option: "--only")
            for input in steps[target].inputs {
                let producer = position[input.producer]!
                guard let run = cachedRun(keys[producer]) else {
                    throw PlanError(.missingInput, "step \(name) reads \(input.artifact) from step \(input.producer), "
                        + "which is not in the cache; make it with `\(command(.from(input.producer)))`")
                }
                actions[producer] = .cached(key: keys[producer], runID: run)
            }
            if cachedRun(keys[target]) != nil {
                actions[target] = .run(key: keys[target], reasons: [.forced])
            } else {
                actions[target] = .run(key: keys[target], reasons: reasons(target, keys: keys, position: position))
            }
        }
        return Plan(workflow: workflow, steps: steps.indices.map {
            PlannedStep(name: steps[$0].name, key: keys[$0], action: actions[$0])
        })
    }

    /// A workflow that rewrites a file it reads (retrain fine-tunes the current model, then may replace it)
    /// would otherwise take its own result for new input and start again. If every file whose content differs
    /// from what the previous run read holds exactly what that run's steps wrote there, and with those files
    /// read as that run read them every step is cached, then nothing changed but the workflow's own output: the
    /// plan is that run's, every step cached. Any other change (the feedback, a step, another workflow's model)
    /// plans normally, keyed by what the files hold now.
    private func previousRunOfOwnOutput(cachedRun: (CacheKey) -> String?) -> Plan? {
        guard let previous else { return nil }
        var written: [String: String] = [:]
        for step in previous.steps.values {
            written.merge(step.wrote) { first, _ in first }
        }
        var asRead = steps
        var substituted = false
        for i in asRead.indices {
            guard let before = previous.steps[asRead[i].name] else { return nil }
            for (path, hash) in asRead[i].fingerprint.files where before.fingerprint.files[path] != hash {
                guard written[path] == hash, let read = before.fingerprint.files[path] else { return nil }
                asRead[i].fingerprint.files[path] = read
                substituted = true
            }
        }
        guard substituted else { return nil }
        let planner = Planner(workflow: workflow, steps: asRead, runnerVersion: runnerVersion, previous: nil, mode: .all)
        guard let keys = try? planner.keys() else { return nil }
        var planned: [PlannedStep] = []
        for (step, key) in zip(asRead, keys) {
            guard let run = cachedRun(key) else { return nil }
            planned.append(PlannedStep(name: step.name, key: key, action: .cached(key: key, runID: run), fingerprint: step.fingerprint))
        }
        return Plan(workflow: workflow, steps: planned)
    }

    private var names: String { steps.map(\.name).joined(separator: ", ") }

    private func find(_ name: String, option: String) throws(PlanError) -> Int {
        guard let i = steps.firstIndex(where: { $0.name == name }) else {
            throw PlanError(.unknownStep, "\(option) \(name): workflow \(workflow) has no step \(name) (steps: \(names))")
        }
        return i
    }

    /// Why step `i`, whose key is not in the cache, runs: what differs from the previous run's record of it.
    private func reasons(_ i: Int, keys: [CacheKey], position: [String: Int]) -> [Reason] {
        let step = steps[i]
        guard let previous, let before = previous.steps[step.name] else { return [.neverRun] }
        if before.key == keys[i] { return [.cacheEntryMissing] }
        var reasons: [Reason] = []
        if before.runnerVersion != runnerVersion {
            // Another version may build fingerprints differently: only the version is a reason then.
            reasons.append(.runnerVersionChanged(from: before.runnerVersion, to: runnerVersion))
        } else {
            reasons += step.fingerprint.changes(since: before.fingerprint)
        }
        var seen = Set<String>()
        for input in step.inputs where seen.insert(input.producer).inserted {
            if previous.steps[input.producer]?.key != keys[position[input.producer]!] {
                reasons.append(.upstreamChanged(step: input.producer))
            }
        }
        // Every part of the key is compared above; this is a last resort.
        return reasons.isEmpty ? [.textChanged] : reasons
    }
}
