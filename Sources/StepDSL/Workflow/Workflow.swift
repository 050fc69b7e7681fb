import Foundation

/// A checked workflow: its steps in run order, every artifact read after it is made.
public struct Workflow: Sendable {
    /// The folder's name (`train`).
    public let name: String
    public let directory: URL
    public let steps: [Step]
    /// Problems that do not stop a run (an artifact read in a role its slot does not expect).
    public let warnings: [Diagnostic]

    public init(name: String, directory: URL, steps: [Step], warnings: [Diagnostic]) {
        self.name = name
        self.directory = directory
        self.steps = steps
        self.warnings = warnings
    }

    public func step(named name: String) -> Step? {
        steps.first { $0.name == name }
    }

    /// The step that makes an artifact.
    public func producer(of artifact: String) -> Step? {
        steps.first { $0.outputs.contains { $0.name == artifact } }
    }
}
