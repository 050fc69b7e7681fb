/// The parts of a step that decide its outputs, apart from its inputs and the runner's version.
///
/// The runner fills this from the parsed step; the planner compares it with the previous run's to
/// explain why a step runs again.
public struct StepFingerprint: Hashable, Sendable, Codable {
    /// The step's text with comments and insignificant whitespace removed.
    public var text: String
    /// Resolved parameters (defaults and `--set` overrides applied) as canonical strings: name to value.
    public var parameters: [String: String]
    /// For steps that read files: path to content hash (as `FileFingerprinter` gives).
    public var files: [String: String]

    public init(text: String, parameters: [String: String] = [:], files: [String: String] = [:]) {
        self.text = text
        self.parameters = parameters
        self.files = files
    }
}
