/// The parts of a step that decide its outputs, apart from its inputs and the runner's version, each in a
/// canonical form: how the step file spells a value, orders its lines or whether it writes a default out does
/// not change them.
///
/// The runner fills this from the parsed step; the cache key is built from it, and the planner compares it with
/// the previous run's to explain why a step runs again.
public struct StepFingerprint: Hashable, Sendable, Codable {
    /// The step's header in canonical form: kind, input artifacts, `->`, output artifacts
    /// (`train model, train_data, val_data -> trained, history`).
    public var text: String
    /// A build step's layer lines, one canonical string per layer, in order (`conv 32 3x3 relu`).
    public var layers: [String]
    /// Every parameter of the step's kind, defaults and `--set` overrides applied, as canonical strings: name to
    /// value. (`threads` is not here: it is `threads` below, for the steps whose results depend on it.)
    public var parameters: [String: String]
    /// For steps that use randomness: the seed they run with (derived from the run seed and the step's name, or
    /// their own `seed` parameter). Part of the key.
    public var seed: UInt64?
    /// For steps that use randomness and derive their seed: the run seed (`--seed`) it came from. Not part of the
    /// key (`seed` is); it lets the plan say "run seed changed from 42 to 7".
    public var runSeed: UInt64?
    /// For steps whose results depend on the thread count: the count they run with. Part of the key.
    public var threads: Int?
    /// For steps that read files: path to content hash (as `FileFingerprinter` gives).
    public var files: [String: String]

    public init(text: String, layers: [String] = [], parameters: [String: String] = [:], seed: UInt64? = nil,
                runSeed: UInt64? = nil, threads: Int? = nil, files: [String: String] = [:]) {
        self.text = text
        self.layers = layers
        self.parameters = parameters
        self.seed = seed
        self.runSeed = runSeed
        self.threads = threads
        self.files = files
    }

    private enum CodingKeys: String, CodingKey {
        case text, layers, parameters, seed, runSeed, threads, files
    }

    /// Run records written before the canonical fingerprint (runner 0.1.0) have only `text`, `parameters` and
    /// `files`; they still decode, with no layers, seed or threads. The planner does not compare fingerprints
    /// across runner versions, so their different `text` is never read as a change.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        layers = try container.decodeIfPresent([String].self, forKey: .layers) ?? []
        parameters = try container.decodeIfPresent([String: String].self, forKey: .parameters) ?? [:]
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
        runSeed = try container.decodeIfPresent(UInt64.self, forKey: .runSeed)
        threads = try container.decodeIfPresent(Int.self, forKey: .threads)
        files = try container.decodeIfPresent([String: String].self, forKey: .files) ?? [:]
    }
}
