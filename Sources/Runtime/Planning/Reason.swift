/// Why a step runs instead of coming from the cache. Each renders as one exact phrase for `stepwise plan`.
public enum Reason: Sendable, Hashable, CustomStringConvertible {
    case neverRun
    case forced
    case parameterChanged(name: String, from: String, to: String)
    case parameterAdded(name: String, value: String)
    case parameterRemoved(name: String, value: String)
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
        case .textChanged: "step text changed"
        case let .upstreamChanged(step): "input from \(step) changed"
        case let .fileChanged(path): "file \(path) changed"
        case let .runnerVersionChanged(from, to): "runner version changed from \(from) to \(to)"
        case .cacheEntryMissing: "cache entry missing"
        }
    }
}
