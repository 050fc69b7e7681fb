import Foundation
import Logging
import PostgresNIO
@testable import Server
import Testing

/// The prediction log's contract, run against SQLite and against a real PostgreSQL server
/// (STEPWISE_TEST_POSTGRES=postgres://…, which scripts/test.sh sets after starting a throwaway cluster).
@Suite("serve: the prediction log")
struct PredictionLogTests {
    static let postgresURL = ProcessInfo.processInfo.environment["STEPWISE_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    static func entry(_ i: Int, label: Int) -> LoggedPrediction {
        LoggedPrediction(id: "id-\(i)-\(UUID().uuidString)", createdAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)),
                         imageSHA256: String(repeating: "a", count: 64), label: label, confidence: 0.5 + Double(i % 50) / 100,
                         probabilities: (0..<10).map { $0 == label ? 0.91 : 0.01 }, modelSHA256: String(repeating: "b", count: 64),
                         preprocessing: "used as is", digit: (0..<784).map { UInt8(truncatingIfNeeded: $0 &* (i + 1)) })
    }

    /// What every store must do: migrate (twice is a no-op), insert, find, record verdicts, count, list.
    static func exercise(_ log: any PredictionLog) async throws {
        #expect(try await log.migrate() == LogSchema.migrations(postgres: false).last!.version)
        #expect(try await log.migrate() == LogSchema.migrations(postgres: false).last!.version)
        let base = try await log.count()
        let entries = (0..<5).map { entry($0, label: $0 % 3) }
        for e in entries { try await log.insert(e) }
        #expect(try await log.count() == base + 5)
        let found = try #require(try await log.entry(id: entries[2].id))
        #expect(found.id == entries[2].id)
        #expect(found.digit == entries[2].digit)
        #expect(found.probabilities == entries[2].probabilities)
        #expect(abs(found.createdAt.timeIntervalSince(entries[2].createdAt)) < 0.01)
        #expect(found.verdict == nil)
        #expect(try await log.entry(id: "no-such-id") == nil)

        #expect(try await log.setVerdict(id: entries[1].id, verdict: .wrong, trueLabel: 7, at: Date()))
        #expect(try await log.setVerdict(id: entries[2].id, verdict: .right, trueLabel: 2, at: Date()))
        #expect(try await log.setVerdict(id: "no-such-id", verdict: .right, trueLabel: 2, at: Date()) == false)
        let wrong = try #require(try await log.entry(id: entries[1].id))
        #expect(wrong.verdict == .wrong && wrong.trueLabel == 7 && wrong.answeredAt != nil)

        let answered = try await log.answered()
        #expect(answered.contains(AnsweredPrediction(label: 1, trueLabel: 7, confidence: entries[1].confidence)))
        #expect(answered.contains(AnsweredPrediction(label: 2, trueLabel: 2, confidence: entries[2].confidence)))
        let recent = try await log.recent(limit: 3)
        #expect(recent.map(\.id) == [entries[4].id, entries[3].id, entries[2].id])
    }

    /// Many rows at once: a batch larger than one SQLite statement takes (`rowsPerStatement`), and concurrent
    /// single inserts through `GroupCommitLog`, which commits them together; every row lands, once.
    static func exerciseBatches(_ store: any PredictionLog) async throws {
        let base = try await store.count()
        let batch = (0..<(SQLitePredictionLog.rowsPerStatement + 44)).map { entry(100 + $0, label: $0 % 10) }
        try await store.insert(batch)
        #expect(try await store.count() == base + batch.count)
        #expect(try await store.entry(id: batch.last!.id)?.digit == batch.last!.digit)

        let log = GroupCommitLog(store, maxBatch: 16)
        let concurrent = (0..<60).map { entry(1000 + $0, label: $0 % 10) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for e in concurrent { group.addTask { try await log.insert(e) } }
            try await group.waitForAll()
        }
        #expect(try await log.count() == base + batch.count + concurrent.count)
        for e in concurrent { #expect(try await log.entry(id: e.id)?.label == e.label) }
    }

    @Test func sqlite() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("predictions.sqlite").path
        let log = try await SQLitePredictionLog.open(path: path)
        try await Self.exercise(log)
        try await Self.exerciseBatches(log)
        try await log.close()
        // Reopened: the rows and the schema version are still there, nothing migrates again.
        let again = try await SQLitePredictionLog.open(path: path)
        #expect(try await again.count() == 5 + SQLitePredictionLog.rowsPerStatement + 44 + 60)
        #expect(try await again.migrate() == 1)
        try await again.close()
    }

    @Test func statistics() {
        let rows = [AnsweredPrediction(label: 3, trueLabel: 3, confidence: 0.9), AnsweredPrediction(label: 3, trueLabel: 8, confidence: 0.5),
                    AnsweredPrediction(label: 1, trueLabel: 7, confidence: 0.7), AnsweredPrediction(label: 7, trueLabel: 7, confidence: 0.8)]
        let stats = PredictionStats(total: 10, answered: rows)
        #expect(stats.predictions == 10 && stats.answered == 4 && stats.confirmedRight == 2 && stats.corrected == 2)
        #expect(stats.accuracy == 0.5)
        #expect(stats.confusion[8][3] == 1 && stats.confusion[7][1] == 1)
        #expect(stats.perDigit[7].answered == 2 && stats.perDigit[7].right == 1 && stats.perDigit[7].accuracy == 0.5)
        #expect(stats.perDigit[0].accuracy == nil)
        #expect(abs((stats.meanConfidence.right ?? 0) - 0.85) < 1e-9)
        #expect(abs((stats.meanConfidence.wrong ?? 0) - 0.6) < 1e-9)
    }
}

/// The log and the whole API on a real PostgreSQL server (one database, so one test at a time).
@Suite("serve: PostgreSQL", .serialized,
       .enabled(if: PredictionLogTests.postgresURL != nil,
                "STEPWISE_TEST_POSTGRES is not set: scripts/test.sh starts a throwaway PostgreSQL and sets it"))
struct PostgresTests {
    @Test func log() async throws {
        let log = try PostgresPredictionLog(url: try #require(PredictionLogTests.postgresURL), logger: Logger(label: "test"))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await log.client.run() }
            try await PredictionLogTests.exercise(log)
            try await PredictionLogTests.exerciseBatches(log)
            group.cancelAll()
        }
    }

    @Test func api() async throws {
        let fixture = try ServerFixture()
        let recorder = OpenAPIRecorder()
        let app = try await fixture.application(database: PredictionLogTests.postgresURL)
        try await app.test(.live) { client in
            let api = APIClient(client: client, recorder: recorder)
            #expect(try await api.send(.get, "/healthz").json["log"] as? String == "postgres")
            let before = try #require(try await api.send(.get, "/api/stats").json["predictions"] as? Int)
            let predicted = try await api.predict(TestImages.seven())
            #expect(predicted.status == 200, "\(predicted.error ?? "")")
            let id = try #require(predicted.json["id"] as? String)
            let label = try #require(predicted.json["label"] as? Int)
            let stored = try await api.feedback(["id": id, "label": (label + 5) % 10])
            #expect(stored.json["result"] as? String == "stored")
            let stats = try await api.send(.get, "/api/stats").json
            #expect(stats["predictions"] as? Int == before + 1)
            #expect((stats["recent"] as? [[String: Any]])?.first?["verdict"] as? String == "wrong")
        }
        try recorder.check()
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.feedbackFolder.path).count == 1)
    }
}
