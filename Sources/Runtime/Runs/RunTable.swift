import Foundation

/// `stepwise runs`: one row per run of a workflow from its index, oldest first, with what changed since the run
/// before it.
public struct RunTable: Sendable {
    public struct Row: Codable, Sendable, Equatable {
        public var id: String
        public var date: String
        public var commit: String?
        public var status: RunStatus
        public var mode: String
        /// Parameters that differ from the run before: `train.lr 0.001 -> 0.003`.
        public var changed: [String]
        public var testAccuracy: Double?
        public var testLoss: Double?
        /// A comparison's test accuracy of each model, by name (nil for a run of one model).
        public var modelAccuracies: [String: Double]?
        public var seconds: Double?
        public var stepsCached: Int
        public var steps: Int
        /// Whether the run still has its folder under runs/ (pruned, or all from the cache, if not).
        public var folder: Bool

        enum CodingKeys: String, CodingKey {
            case id, date, commit, status, mode, changed, seconds, steps, folder
            case testAccuracy = "test_accuracy", testLoss = "test_loss", stepsCached = "steps_cached"
            case modelAccuracies = "test_accuracy_by_model"
        }
    }

    public let rows: [Row]

    public init(entries: [RunIndexEntry], folders: Set<String>) {
        var rows: [Row] = []
        var previous: RunIndexEntry?
        for entry in entries {
            // A run that never got a plan has no parameters; it is not what the next one is compared with.
            let changed = previous.map { RunComparison.changes(from: $0, to: entry).map(RunComparison.describe) } ?? []
            let models = Dictionary(uniqueKeysWithValues: entry.metrics.compactMap { name, value in
                RunIndex.model(in: name, metric: "test_accuracy").map { ($0, value) }
            })
            rows.append(Row(id: entry.id, date: entry.started, commit: entry.commit.map { String($0.prefix(7)) },
                            status: entry.status, mode: entry.mode, changed: entry.parameters.isEmpty ? [] : changed,
                            testAccuracy: entry.metrics["test_accuracy"], testLoss: entry.metrics["test_loss"],
                            modelAccuracies: models.isEmpty ? nil : models, seconds: entry.seconds, stepsCached: entry.cached.count,
                            steps: entry.computed.count + entry.cached.count,
                            folder: folders.contains(Timestamp.folderName(forID: entry.id))))
            if !entry.parameters.isEmpty { previous = entry }
        }
        self.rows = rows
    }

    /// Reads the index of `history` and lists the run folders present.
    public init(history: RunHistory) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: history.runsURL.path)) ?? []
        self.init(entries: try RunIndex(history: history).entries(), folders: Set(names))
    }

    /// Aligned columns; a run without a folder is marked `*` after its id.
    public var text: String {
        let header = ["RUN", "COMMIT", "STATUS", "ACCURACY", "LOSS", "TIME", "CACHED", "CHANGED"]
        let body = rows.map { row -> [String] in
            [row.id + (row.folder ? "" : "*"), row.commit ?? "-", row.status.rawValue + (row.mode == "all" ? "" : " (\(row.mode))"),
             Self.accuracy(row), RunComparison.format("test_loss", row.testLoss),
             row.seconds.map { String(format: "%.1fs", $0) } ?? "-", "\(row.stepsCached)/\(row.steps)",
             row.changed.isEmpty ? "-" : row.changed.joined(separator: ", ")]
        }
        let table = [header] + body
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        var lines = table.map { cells in
            cells.indices.map { i in
                i == cells.count - 1 ? cells[i] : cells[i] + String(repeating: " ", count: widths[i] - cells[i].count)
            }.joined(separator: "  ")
        }
        if rows.contains(where: { !$0.folder }) {
            lines.append("* no folder under runs/: every step came from the cache, or pruned")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The run's test accuracy, or each compared model's (`CNN 99.57% ViT 99.33%`).
    static func accuracy(_ row: Row) -> String {
        guard row.testAccuracy == nil, let models = row.modelAccuracies, !models.isEmpty else {
            return RunComparison.format("test_accuracy", row.testAccuracy)
        }
        return models.sorted { $0.key < $1.key }.map { "\($0.key) \(RunComparison.format("test_accuracy", $0.value))" }
            .joined(separator: " ")
    }

    /// Draws the test accuracy of every run that has one into `folder` (made if missing),
    /// `accuracy-across-runs.png` with its `.gp` and `.dat`; see `ChartRenderer.accuracyAcrossRuns`.
    public func chart(workflow: String, in folder: URL) throws -> Chart {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try ChartRenderer(folder: folder).accuracyAcrossRuns(rows, workflow: workflow)
    }

    /// Where `stepwise runs --chart` draws: `Outputs/<workflow>/run-charts/` (runs/ holds only runs; charts/
    /// belongs to the plot step, which keeps only its own files there).
    public static func chartFolder(of history: RunHistory) -> URL {
        history.workflowURL.appendingPathComponent("run-charts", isDirectory: true)
    }

    /// A JSON array of the rows.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(rows)
    }
}
