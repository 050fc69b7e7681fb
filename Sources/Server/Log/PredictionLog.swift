import Foundation

/// The log of every prediction served and the verdict people gave on it. Two stores implement it (SQLite by
/// default, PostgreSQL for several servers sharing one log); both keep the same versioned schema.
package protocol PredictionLog: Sendable {
    /// "sqlite" or "postgres", for /healthz.
    var kind: String { get }
    /// Brings the schema up to date; returns its version.
    func migrate() async throws -> Int
    /// Adds rows in one statement (one transaction): the cost of a commit is shared by them.
    func insert(_ entries: [LoggedPrediction]) async throws
    func entry(id: String) async throws -> LoggedPrediction?
    /// Records a verdict; false when no prediction has this id.
    func setVerdict(id: String, verdict: Verdict, trueLabel: Int, at: Date) async throws -> Bool
    func count() async throws -> Int
    /// The predictions someone answered (right or corrected), for the statistics.
    func answered() async throws -> [AnsweredPrediction]
    /// The newest `limit` predictions, newest first.
    func recent(limit: Int) async throws -> [LoggedPrediction]
    func close() async throws
}

extension PredictionLog {
    func insert(_ entry: LoggedPrediction) async throws {
        try await insert([entry])
    }
}

/// What the person said about a prediction.
package enum Verdict: String, Codable, Sendable {
    case right, wrong
}

/// One row of the log.
package struct LoggedPrediction: Sendable, Equatable {
    package var id: String
    package var createdAt: Date
    /// SHA-256 of the uploaded bytes: the upload's name under Outputs/serve/uploads/.
    package var imageSHA256: String
    package var label: Int
    package var confidence: Double
    package var probabilities: [Double]
    package var modelSHA256: String
    package var preprocessing: String
    /// The 28x28 image the model saw (784 bytes), for thumbnails.
    package var digit: [UInt8]
    package var verdict: Verdict?
    package var trueLabel: Int?
    package var answeredAt: Date?

    package init(id: String, createdAt: Date, imageSHA256: String, label: Int, confidence: Double,
                 probabilities: [Double], modelSHA256: String, preprocessing: String, digit: [UInt8],
                 verdict: Verdict? = nil, trueLabel: Int? = nil, answeredAt: Date? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.imageSHA256 = imageSHA256
        self.label = label
        self.confidence = confidence
        self.probabilities = probabilities
        self.modelSHA256 = modelSHA256
        self.preprocessing = preprocessing
        self.digit = digit
        self.verdict = verdict
        self.trueLabel = trueLabel
        self.answeredAt = answeredAt
    }
}

/// The part of an answered prediction the statistics need.
package struct AnsweredPrediction: Sendable, Equatable {
    package var label: Int
    package var trueLabel: Int
    package var confidence: Double

    package init(label: Int, trueLabel: Int, confidence: Double) {
        self.label = label
        self.trueLabel = trueLabel
        self.confidence = confidence
    }
}

/// The schema, one step per version, for both stores; a store applies those above the version it records.
enum LogSchema {
    /// SQL per version. Types are chosen to mean the same in SQLite and PostgreSQL.
    static func migrations(postgres: Bool) -> [(version: Int, statements: [String])] {
        let seq = postgres ? "seq BIGSERIAL PRIMARY KEY" : "seq INTEGER PRIMARY KEY AUTOINCREMENT"
        let blob = postgres ? "BYTEA" : "BLOB"
        let real = postgres ? "DOUBLE PRECISION" : "REAL"
        return [
            (1, [
                """
                CREATE TABLE predictions (
                    \(seq),
                    id TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    image_sha256 TEXT NOT NULL,
                    label INTEGER NOT NULL,
                    confidence \(real) NOT NULL,
                    probabilities TEXT NOT NULL,
                    model_sha256 TEXT NOT NULL,
                    preprocessing TEXT NOT NULL,
                    digit \(blob) NOT NULL,
                    verdict TEXT,
                    true_label INTEGER,
                    answered_at TEXT
                )
                """,
                "CREATE INDEX predictions_verdict ON predictions (verdict)",
            ]),
        ]
    }

    /// Dates as the project writes them everywhere (UTC, ISO-8601) with milliseconds, so rows sort by text.
    static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)))
            ?? (try? Date(text, strategy: .iso8601))
    }

    static func encode(_ probabilities: [Double]) -> String {
        "[" + probabilities.map { String($0) }.joined(separator: ",") + "]"
    }

    static func decode(_ text: String) -> [Double] {
        (try? JSONDecoder().decode([Double].self, from: Data(text.utf8))) ?? []
    }
}
