import Foundation
import NIOCore
import SQLiteNIO

/// The prediction log in one SQLite file (default Outputs/serve/predictions.sqlite): WAL, so readers never wait
/// for the writer; `synchronous=NORMAL`, so a power cut may lose the last predictions but never corrupts the file.
package final class SQLitePredictionLog: PredictionLog {
    package let kind = "sqlite"
    private let connection: SQLiteConnection

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    package static func open(path: String) async throws -> SQLitePredictionLog {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        let log = SQLitePredictionLog(connection: connection)
        _ = try await connection.query("PRAGMA journal_mode=WAL")
        _ = try await connection.query("PRAGMA synchronous=NORMAL")
        _ = try await connection.query("PRAGMA busy_timeout=5000")
        return log
    }

    package func migrate() async throws -> Int {
        _ = try await connection.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        var version = try await currentVersion()
        for migration in LogSchema.migrations(postgres: false) where migration.version > version {
            _ = try await connection.query("BEGIN IMMEDIATE")
            do {
                // Another process may have migrated while this one waited for the write lock.
                guard try await currentVersion() < migration.version else {
                    _ = try await connection.query("COMMIT")
                    continue
                }
                for statement in migration.statements { _ = try await connection.query(statement) }
                _ = try await connection.query("DELETE FROM schema_version")
                _ = try await connection.query("INSERT INTO schema_version (version) VALUES (?)", [.integer(migration.version)])
                _ = try await connection.query("COMMIT")
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
            version = migration.version
        }
        return try await currentVersion()
    }

    private func currentVersion() async throws -> Int {
        let rows = try await connection.query("SELECT max(version) AS v FROM schema_version")
        return rows.first?.column("v")?.integer.map { Int($0) } ?? 0
    }

    /// Rows per INSERT statement: 9 values each, well under SQLite's limit of 32,766 bound values.
    static let rowsPerStatement = 256

    package func insert(_ entries: [LoggedPrediction]) async throws {
        var start = entries.startIndex
        while start < entries.endIndex {
            let rows = entries[start..<min(start + Self.rowsPerStatement, entries.endIndex)]
            start = rows.endIndex
            let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows.count).joined(separator: ", ")
            _ = try await connection.query("""
                INSERT INTO predictions (id, created_at, image_sha256, label, confidence, probabilities, model_sha256,
                                         preprocessing, digit) VALUES \(values)
                """, rows.flatMap { e -> [SQLiteData] in
                    [.text(e.id), .text(LogSchema.string(e.createdAt)), .text(e.imageSHA256), .integer(e.label),
                     .float(e.confidence), .text(LogSchema.encode(e.probabilities)), .text(e.modelSHA256),
                     .text(e.preprocessing), .blob(ByteBuffer(bytes: e.digit))]
                })
        }
    }

    private static let columns = """
        id, created_at, image_sha256, label, confidence, probabilities, model_sha256, preprocessing, digit, verdict,
        true_label, answered_at
        """

    package func entry(id: String) async throws -> LoggedPrediction? {
        try await connection.query("SELECT \(Self.columns) FROM predictions WHERE id = ?", [.text(id)])
            .first.flatMap(Self.decode)
    }

    package func setVerdict(id: String, verdict: Verdict, trueLabel: Int, at date: Date) async throws -> Bool {
        let rows = try await connection.query("""
            UPDATE predictions SET verdict = ?, true_label = ?, answered_at = ? WHERE id = ? RETURNING seq
            """, [.text(verdict.rawValue), .integer(trueLabel), .text(LogSchema.string(date)), .text(id)])
        return !rows.isEmpty
    }

    package func count() async throws -> Int {
        let rows = try await connection.query("SELECT count(*) AS n FROM predictions")
        return rows.first?.column("n")?.integer.map { Int($0) } ?? 0
    }

    package func answered() async throws -> [AnsweredPrediction] {
        try await connection.query("SELECT label, true_label, confidence FROM predictions WHERE verdict IS NOT NULL")
            .compactMap { row in
                guard let label = row.column("label")?.integer, let truth = row.column("true_label")?.integer,
                      let confidence = row.column("confidence")?.double else { return nil }
                return AnsweredPrediction(label: Int(label), trueLabel: Int(truth), confidence: confidence)
            }
    }

    package func recent(limit: Int) async throws -> [LoggedPrediction] {
        try await connection.query("SELECT \(Self.columns) FROM predictions ORDER BY seq DESC LIMIT ?", [.integer(limit)])
            .compactMap(Self.decode)
    }

    package func close() async throws {
        try await connection.close()
    }

    private static func decode(_ row: SQLiteRow) -> LoggedPrediction? {
        guard let id = row.column("id")?.string, let created = row.column("created_at")?.string.flatMap(LogSchema.date),
              let image = row.column("image_sha256")?.string, let label = row.column("label")?.integer,
              let confidence = row.column("confidence")?.double, let probabilities = row.column("probabilities")?.string,
              let model = row.column("model_sha256")?.string, let notes = row.column("preprocessing")?.string,
              let digit = row.column("digit")?.blob
        else { return nil }
        return LoggedPrediction(
            id: id, createdAt: created, imageSHA256: image, label: Int(label), confidence: confidence,
            probabilities: LogSchema.decode(probabilities), modelSHA256: model, preprocessing: notes,
            digit: Array(buffer: digit), verdict: row.column("verdict")?.string.flatMap(Verdict.init(rawValue:)),
            trueLabel: row.column("true_label")?.integer.map { Int($0) },
            answeredAt: row.column("answered_at")?.string.flatMap(LogSchema.date))
    }
}
