import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The prediction log in PostgreSQL (`--database postgres://user[:password]@host[:port]/db`, or a unix socket
/// with `?host=/run/postgresql`), so several serve processes behind a load balancer share one log.
/// The client's connection pool runs as a service of the application (`client.run()`).
package final class PostgresPredictionLog: PredictionLog {
    package let kind = "postgres"
    package let client: PostgresClient
    private let logger: Logger

    package init(url: String, logger: Logger) throws(ServerError) {
        self.client = PostgresClient(configuration: try Self.configuration(url), backgroundLogger: logger)
        self.logger = logger
    }

    /// Parses `postgres://` (or `postgresql://`) URLs; TLS is off (loopback, unix socket or a private network).
    static func configuration(_ text: String) throws(ServerError) -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw .startup("--database \(text): not a postgres://user@host/db URL", exitCode: 2)
        }
        let user = url.percentEncodedUser?.removingPercentEncoding ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        let password = url.percentEncodedPassword?.removingPercentEncoding
        let database = String(url.path.drop { $0 == "/" }).removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 }
        let socketFolder = url.queryItems?.first { $0.name == "host" }?.value
        if let socketFolder, socketFolder.hasPrefix("/") {
            let port = url.port ?? 5432
            return .init(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        guard let host = url.host, !host.isEmpty else {
            throw .startup("--database \(text): no host (postgres://user@host/db, or ?host=/socket/folder)", exitCode: 2)
        }
        return .init(host: host, port: url.port ?? 5432, username: user, password: password, database: database, tls: .disable)
    }

    package func migrate() async throws -> Int {
        try await client.withTransaction(logger: logger) { connection in
            // Several servers may start at once: one migrates, the others wait here and find it done.
            try await connection.query("SELECT pg_advisory_xact_lock(7010011)", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", logger: logger)
            var version = 0
            for try await v in try await connection.query("SELECT coalesce(max(version), 0) FROM schema_version", logger: logger).decode(Int.self) {
                version = v
            }
            for migration in LogSchema.migrations(postgres: true) where migration.version > version {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("DELETE FROM schema_version", logger: logger)
                try await connection.query("INSERT INTO schema_version (version) VALUES (\(migration.version))", logger: logger)
                version = migration.version
            }
            return version
        }
    }

    /// One transaction for the rows: one commit for all of them.
    package func insert(_ entries: [LoggedPrediction]) async throws {
        try await client.withTransaction(logger: logger) { connection in
            for e in entries {
                try await connection.query("""
                    INSERT INTO predictions (id, created_at, image_sha256, label, confidence, probabilities, model_sha256,
                                             preprocessing, digit)
                    VALUES (\(e.id), \(LogSchema.string(e.createdAt)), \(e.imageSHA256), \(e.label), \(e.confidence),
                            \(LogSchema.encode(e.probabilities)), \(e.modelSHA256), \(e.preprocessing), \(ByteBuffer(bytes: e.digit)))
                    """, logger: logger)
            }
        }
    }

    private typealias Row = (String, String, String, Int, Double, String, String, String, ByteBuffer, String?, Int?, String?)

    package func entry(id: String) async throws -> LoggedPrediction? {
        let rows = try await client.query("""
            SELECT id, created_at, image_sha256, label, confidence, probabilities, model_sha256, preprocessing, digit,
                   verdict, true_label, answered_at FROM predictions WHERE id = \(id)
            """, logger: logger)
        for try await row in rows.decode(Row.self) { return Self.decode(row) }
        return nil
    }

    package func setVerdict(id: String, verdict: Verdict, trueLabel: Int, at date: Date) async throws -> Bool {
        let rows = try await client.query("""
            UPDATE predictions SET verdict = \(verdict.rawValue), true_label = \(trueLabel),
                   answered_at = \(LogSchema.string(date)) WHERE id = \(id) RETURNING seq
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    package func count() async throws -> Int {
        for try await n in try await client.query("SELECT count(*) FROM predictions", logger: logger).decode(Int.self) {
            return n
        }
        return 0
    }

    package func answered() async throws -> [AnsweredPrediction] {
        var out: [AnsweredPrediction] = []
        let rows = try await client.query("SELECT label, true_label, confidence FROM predictions WHERE verdict IS NOT NULL", logger: logger)
        for try await (label, truth, confidence) in rows.decode((Int, Int, Double).self) {
            out.append(AnsweredPrediction(label: label, trueLabel: truth, confidence: confidence))
        }
        return out
    }

    package func recent(limit: Int) async throws -> [LoggedPrediction] {
        var out: [LoggedPrediction] = []
        let rows = try await client.query("""
            SELECT id, created_at, image_sha256, label, confidence, probabilities, model_sha256, preprocessing, digit,
                   verdict, true_label, answered_at FROM predictions ORDER BY seq DESC LIMIT \(limit)
            """, logger: logger)
        for try await row in rows.decode(Row.self) {
            if let entry = Self.decode(row) { out.append(entry) }
        }
        return out
    }

    package func close() async throws {}

    private static func decode(_ r: Row) -> LoggedPrediction? {
        guard let created = LogSchema.date(r.1) else { return nil }
        return LoggedPrediction(id: r.0, createdAt: created, imageSHA256: r.2, label: r.3, confidence: r.4,
                                probabilities: LogSchema.decode(r.5), modelSHA256: r.6, preprocessing: r.7,
                                digit: Array(buffer: r.8), verdict: r.9.flatMap(Verdict.init(rawValue:)),
                                trueLabel: r.10, answeredAt: r.11.flatMap(LogSchema.date))
    }
}
