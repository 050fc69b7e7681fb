import Foundation
import Runtime
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Records of runs that end early or are interrupted, and run.json files from before those existed
/// (RunHistoryTests' folder, history and start time).
extension RunHistoryTests {
    @Test func earlyEndsAreRecordedWithoutSteps() throws {
        let refused = try RunDirectory.recordEarlyEnd(history: history, workflow: "train", mode: .from("train"),
                                                      status: .refused, error: "another run of train holds the lock",
                                                      seed: 7, runnerVersion: "0.1.0", now: start)
        let failed = try RunDirectory.recordEarlyEnd(history: history, workflow: "train", mode: .all, status: .failed,
                                                     error: "data missing\nsecond line", runnerVersion: "0.1.0", now: start)
        let records = try history.records()
        #expect(records.map(\.id) == ["2026-11-22T01:02:03Z", "2026-11-22T01:02:03Z-2"])
        #expect(records[0] == refused.record && records[1] == failed.record)
        #expect(records[0].status == .refused && records[0].mode == "from train" && records[0].steps.isEmpty)
        #expect(records[0].error == "another run of train holds the lock" && records[0].ended == records[0].started)
        #expect(records.allSatisfy { $0.usedKeys.isEmpty })
        // Nothing for the planner to compare with: a refused run does not hide earlier ones.
        #expect(try history.previousRun()?.steps.isEmpty == true)
        let log = try String(contentsOf: failed.logURL, encoding: .utf8)
        #expect(log == """
            [2026-11-22T01:02:03Z] run 2026-11-22T01:02:03Z-2 of train: all, runner 0.1.0, seed 42
            [2026-11-22T01:02:03Z] failed before the first step: data missing
            [2026-11-22T01:02:03Z] second line

            """)
    }

    @Test func newStatusesRoundTripAndOldRecordsStillDecode() throws {
        // A run.json as runners before `error`, `refused` and `interrupted` wrote it.
        let old = #"""
            {"id":"2026-11-01T00:00:00Z","workflow":"train","runnerVersion":"0.1.0","mode":"all",
             "started":"2026-11-01T00:00:00Z","ended":"2026-11-01T00:01:00Z","status":"succeeded","seed":42,
             "steps":[{"name":"load","key":"\#(String(repeating: "ab", count: 32))","action":"run",
                       "reason":"runs: never run before","outcome":"computed","seconds":1.5,"cached":false,"seed":1,
                       "fingerprint":{"text":"load","parameters":{},"files":{}}}]}
            """#
        let decoded = try JSONDecoder().decode(RunRecord.self, from: Data(old.utf8))
        #expect(decoded.status == .succeeded && decoded.error == nil && decoded.steps[0].outcome == .computed)

        var record = decoded
        record.status = .interrupted
        record.error = "interrupted by SIGINT"
        record.steps[0].outcome = .interrupted
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(json.contains(#""status":"interrupted""#) && json.contains(#""outcome":"interrupted""#))
        #expect(try JSONDecoder().decode(RunRecord.self, from: Data(json.utf8)) == record)
        #expect(RunStatus(rawValue: "refused") == .refused)
    }

    @Test func interruptionIsSetOnceAndChecked() throws {
        let interruption = Interruption()
        #expect(interruption.signal == nil)
        try interruption.check()
        #expect(interruption.request(signal: SIGTERM))
        #expect(!interruption.request(signal: SIGINT))
        #expect(interruption.signal == SIGTERM)
        let error = #expect(throws: RunInterrupted.self) { try interruption.check() }
        #expect(error?.exitStatus == 143)
        #expect(RunInterrupted(signal: SIGINT, runID: "r", finished: ["load"]).description
            == "interrupted by SIGINT: run r recorded as interrupted; the steps it finished (load) are cached and the next run reuses them")
    }

    @Test func waitingForALockStopsWhenInterrupted() throws {
        let folder = dir.path("train")
        let held = try WorkflowLock.acquire(workflow: "train", directory: folder)
        defer { held.release() }
        let began = Date()
        let error = #expect(throws: LockError.self) {
            try WorkflowLock.acquire(workflow: "train", directory: folder, wait: 30, stop: { Date().timeIntervalSince(began) > 0.2 })
        }
        #expect(error?.code == .interrupted)
        #expect(Date().timeIntervalSince(began) < 5)
    }
}
