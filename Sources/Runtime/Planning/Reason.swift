/// Why a step runs instead of coming from the cache. Each renders as one exact phrase for `stepwise plan`.
public enum Reason: Sendable, Hashable, CustomStringConvertible {
    case neverRun
    case forced
    case parameterChanged(name: String, from: String, to: String)
    case parameterAdded(name: String, value: String)
    case parameterRemoved(name: String, value: String)
    /// A part of the step's header: `kind`, `inputs` or `outputs` (each list as `a, b`).
    case headerChanged(part: String, from: String, to: String)
    /// A build step's layer line at a 1-based position, in canonical form.
    case layerChanged(index: Int, from: String, to: String)
    case layerAdded(index: Int, layer: String)
    case layerRemoved(index: Int, layer: String)
    /// The user's run seed (`--seed`), which the step's seed is derived from.
    case runSeedChanged(from: UInt64, to: UInt64)
    /// The step's seed, when neither the run seed nor its `seed` parameter explains the change.
    case seedChanged(from: String, to: String)
    case threadsChanged(from: String, to: String)
    /// The last resort, when no part above differs but the key does.
    case textChanged
    case upstreamChanged(step: String)
    case fileChanged(path: String)
    case runnerVersionChanged(from: String, to: String)
    /// The step is exactly as in the previous run, but its cache entry is gone (deleted, collected or corrupt).
    case cacheEntryMissing

    public var description: String {
        switch self {
        case .neverRun: "never run before"
        case .forced: "forced"
        case let .parameterChanged(name, from, to): "\(name) changed from \(from) to \(to)"
        case let .parameterAdded(name, value): "\(name) added with value \(value)"
        case let .parameterRemoved(name, value): "\(name) removed (was \(value))"
        case let .headerChanged(part, from, to): "\(part) changed from \(from) to \(to)"
        case let .layerChanged(index, from, to): "layer \(index) changed from \"\(from)\" to \"\(to)\""
        case let .layerAdded(index, layer): "layer \(index) added: \"\(layer)\""
        case let .layerRemoved(index, layer): "layer \(index) removed (was \"\(layer)\")"
        case let .runSeedChanged(from, to): "run seed changed from \(from) to \(to)"
        case let .seedChanged(from, to): "seed changed from \(from) to \(to)"
        case let .threadsChanged(from, to): "threads changed from \(from) to \(to)"
        case .textChanged: "step text changed"
        case let .upstreamChanged(step): "input from \(step) changed"
        case let .fileChanged(path): "file \(path) changed"
        case let .runnerVersionChanged(from, to): "runner version changed from \(from) to \(to)"
        case .cacheEntryMissing: "cache entry missing"
        }
    }
}
