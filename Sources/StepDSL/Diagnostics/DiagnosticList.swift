import Foundation
import StepwiseErrors

/// All the problems found in a workflow, errors and warnings, sorted by file and position.
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = Self.sorted(diagnostics)
    }

    public var errors: [Diagnostic] { diagnostics.filter(\.isError) }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var hasErrors: Bool { diagnostics.contains(where: \.isError) }

    public var description: String { rendered() }

    /// At most this many diagnostics are rendered; a file of junk may hold millions.
    static let maxRendered = 50

    /// The diagnostics rendered (the first `maxRendered`, then how many more there are), separated by blank
    /// lines, then a count of the errors.
    public func rendered() -> String {
        var parts = diagnostics.prefix(Self.maxRendered).map { $0.rendered() }
        if diagnostics.count > Self.maxRendered {
            parts.append("… and \(diagnostics.count - Self.maxRendered) more not shown")
        }
        let count = errors.count
        if count > 0 {
            parts.append("\(count) error\(count == 1 ? "" : "s") found.")
        }
        return parts.joined(separator: "\n\n")
    }

    /// Problems without a location first, then by path in number order (`3-x.step` before `04-y.step`; a folder before its files) and position (a problem
    /// with a whole file before those at a line of it), then command-line overrides in the order given. The
    /// sort is stable, so diagnostics at the same place keep the order they were found in.
    static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        func key(_ diagnostic: Diagnostic) -> (group: Int, path: String, offset: Int) {
            guard let location = diagnostic.location else { return (0, "", 0) }
            switch location.source.origin {
            case .file: return (1, location.source.path, location.range?.start ?? -1)
            case .commandLine: return (2, "", 0)
            }
        }
        return diagnostics.enumerated().sorted { lhs, rhs in
            let a = key(lhs.element), b = key(rhs.element)
            if a.group != b.group { return a.group < b.group }
            if a.path != b.path { return a.path.compare(b.path, options: .numeric) == .orderedAscending }
            if a.offset != b.offset { return a.offset < b.offset }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}

extension DiagnosticList: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}
