/// A workflow's steps and the artifacts between them, each step marked with what it did (or will do), as a
/// Mermaid flowchart: GitHub renders it in report.md, and `stepwise plan --graph` prints the same text.
public struct PipelineGraph: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case ran = "ran"
        case cached = "from cache"
        /// In a plan: will run.
        case runs = "runs"
        case notRun = "not run"
    }

    /// An arrow from the step that makes artifacts to a step that reads them.
    public struct Edge: Sendable, Equatable {
        public var from: String
        public var to: String
        public var artifacts: [String]
    }

    public var steps: [(name: String, state: State)]
    public var edges: [Edge]

    public init(steps: [(name: String, state: State)], edges: [Edge]) {
        self.steps = steps
        self.edges = edges
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.edges == b.edges && a.steps.elementsEqual(b.steps) { $0.name == $1.name && $0.state == $1.state }
    }

    /// The edges of `steps` (each with the artifacts it reads and their producers), one per producer and reader,
    /// in workflow order.
    public static func edges(_ steps: [PlanStep]) -> [Edge] {
        edges(steps.map { ($0.name, $0.inputs) })
    }

    public static func edges(_ steps: [(name: String, inputs: [StepInput])]) -> [Edge] {
        var edges: [Edge] = []
        for step in steps {
            for input in step.inputs {
                if let i = edges.firstIndex(where: { $0.from == input.producer && $0.to == step.name }) {
                    edges[i].artifacts.append(input.artifact)
                } else {
                    edges.append(Edge(from: input.producer, to: step.name, artifacts: [input.artifact]))
                }
            }
        }
        return edges
    }

    /// A fenced ```mermaid block: `flowchart LR`, one node per step labelled with its name and state (colour
    /// by state), arrows labelled with the artifacts.
    public var mermaid: String {
        let ids = Dictionary(steps.enumerated().map { ($1.name, "s\($0 + 1)") }, uniquingKeysWith: { a, _ in a })
        var lines = ["```mermaid", "flowchart LR"]
        for step in steps {
            let style = switch step.state {
            case .ran: "ran"
            case .cached: "cached"
            case .runs: "runs"
            case .notRun: "notrun"
            }
            lines.append("    \(ids[step.name]!)[\"\(step.name)<br/><i>\(step.state.rawValue)</i>\"]:::\(style)")
        }
        for edge in edges {
            guard let from = ids[edge.from], let to = ids[edge.to] else { continue }
            lines.append("    \(from) -->|\"\(edge.artifacts.joined(separator: ", "))\"| \(to)")
        }
        lines += [
            "    classDef ran fill:#ffe0b2,stroke:#e65100,color:#000",
            "    classDef runs fill:#ffe0b2,stroke:#e65100,color:#000",
            "    classDef cached fill:#c8e6c9,stroke:#1b5e20,color:#000",
            "    classDef notrun fill:#eeeeee,stroke:#9e9e9e,color:#555",
            "```",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
