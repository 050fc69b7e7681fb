import Foundation

/// One checked step of a workflow: its kind, artifacts, resolved parameters and (for build) layers.
public struct Step: Sendable {
    /// The file name without number and extension: `04-train.step` is `train`.
    public let name: String
    /// The number the file name starts with; steps run in this order.
    public let number: Int
    public let file: URL
    /// The file's text and the path shown in diagnostics.
    public let source: SourceFile
    /// The kind's declaration: slots, parameters, what it reads.
    public let schema: KindSchema
    public let inputs: [ArtifactRef]
    public let outputs: [ArtifactRef]
    /// Every parameter of the kind: its default, replaced by the file's value, replaced by a `--set` value.
    public let parameters: [String: ParameterValue]
    /// The parameters set in the file or by `--set`.
    public let explicitParameters: Set<String>
    /// The layer lines of a build step, empty for other kinds.
    public let layers: [LayerDecl]
    /// The file without comments and blank lines, each line's tokens joined by one space: the part of the
    /// cache key that formatting changes do not touch.
    public let normalizedText: String

    public var kind: StepKind { schema.kind }

    public func int(_ key: String) -> Int {
        switch value(key) {
        case .int(let value): return value
        case let other: preconditionFailure("parameter '\(key)' of step '\(name)' is \(other), not an integer")
        }
    }

    /// Decimal parameters; integers are accepted too.
    public func double(_ key: String) -> Double {
        switch value(key) {
        case .decimal(let value): return value
        case .int(let value): return Double(value)
        case let other: preconditionFailure("parameter '\(key)' of step '\(name)' is \(other), not a number")
        }
    }

    public func bool(_ key: String) -> Bool {
        switch value(key) {
        case .bool(let value): return value
        case let other: preconditionFailure("parameter '\(key)' of step '\(name)' is \(other), not a boolean")
        }
    }

    /// Text and word (choice) parameters.
    public func string(_ key: String) -> String {
        switch value(key) {
        case .string(let value), .word(let value): return value
        case let other: preconditionFailure("parameter '\(key)' of step '\(name)' is \(other), not a text")
        }
    }

    public func size(_ key: String) -> [Int] {
        switch value(key) {
        case .size(let value): return value
        case .int(let value): return [value]
        case let other: preconditionFailure("parameter '\(key)' of step '\(name)' is \(other), not a size")
        }
    }

    /// The header in one spelling, `train model, train_data, val_data -> trained, history`: kind, inputs,
    /// `->` and outputs, whatever the spacing of the file.
    public var canonicalHeader: String {
        var out = kind.rawValue
        if !inputs.isEmpty { out += " " + inputs.map(\.name).joined(separator: ", ") }
        if !outputs.isEmpty { out += " -> " + outputs.map(\.name).joined(separator: ", ") }
        return out
    }

    /// The layer lines of a build step, one canonical string each (`LayerDecl.canonical`), in order.
    public var canonicalLayers: [String] { layers.map(\.canonical) }

    /// The thread count the step runs with: its own `threads` parameter when the file or `--set` gives one,
    /// else the run's (`--threads`).
    public func threads(run: Int) -> Int {
        explicitParameters.contains("threads") ? int("threads") : run
    }

    /// The step's own seed, or nil when it is `auto` (or the kind has no seed): derive one from the run seed.
    public var seed: UInt64? {
        if case .int(let value)? = parameters["seed"] { return UInt64(value) }
        return nil
    }

    /// A diagnostic at a place in this step's file, e.g. a shape error at a layer's range.
    public func diagnostic(_ message: String, at range: SourceRange?, severity: Diagnostic.Severity = .error,
                           notes: [Diagnostic] = []) -> Diagnostic {
        Diagnostic(message, severity: severity, in: source, at: range, notes: notes)
    }

    private func value(_ key: String) -> ParameterValue {
        guard let value = parameters[key] else {
            preconditionFailure("a \(kind.rawValue) step has no parameter '\(key)'; the schema lists "
                                    + schema.parameters.map(\.name).joined(separator: ", "))
        }
        return value
    }
}
