import Foundation
@testable import Runtime
import Testing

extension RunHistoryTests {
    /// A cron job's history: one run with a folder that computed everything, then many runs that took every step
    /// from the cache (index lines only), the newest of which ran `train` again. Reading newest first and
    /// stopping once every step is found must give what reading every record gives.
    @Test func previousRunStopsAtTheNewestRecordOfEachStep() throws {
        var first = try RunDirectory.begin(history: history, plan: plan(), mode: .all,
                                           fingerprints: Self.fingerprints, now: start)
        try first.finishStep("load", outcome: .computed, seconds: 1)
        try first.finishStep("train", outcome: .computed, seconds: 1)
        try first.finish(status: .succeeded)

        let index = RunIndex(history: history)
        for i in 1...40 {
            var record = first.record
            record.id = Timestamp.string(start.addingTimeInterval(Double(60 * i)))
            record.steps = record.steps.map { step in
                var step = step
                step.outcome = step.name == "train" && i == 40 ? .computed : .cached
                if step.name == "train" && i == 40 { step.key = CacheKey(hex: String(repeating: "7", count: 64))! }
                return step
            }
            try index.append(RunIndex.entry(for: record, metrics: nil, commit: nil, folder: false))
        }

        let all = try #require(try history.previousRun())
        let early = try #require(try history.previousRun(steps: ["load", "train"]))
        #expect(early == all)
        #expect(early.steps["train"]?.key == CacheKey(hex: String(repeating: "7", count: 64))!)
        #expect(early.steps["load"]?.key == first.record.steps[0].key)

        // Sources are in id order across folders and index lines, and each line's id is read from its bytes.
        let sources = try history.recordSources()
        #expect(sources.count == 41)
        #expect(sources.compactMap { $0.record()?.id }.first == first.record.id)
        #expect(sources.last?.record()?.id == Timestamp.string(start.addingTimeInterval(2400)))
    }

    @Test func folderNamesGiveBackTheirRunIDs() {
        for id in ["2026-11-22T01:02:03Z", "2026-11-22T01:02:03Z-2", "2026-11-22T01:02:03Z-10"] {
            #expect(Timestamp.id(forFolderName: Timestamp.folderName(forID: id)) == id)
        }
    }
}
