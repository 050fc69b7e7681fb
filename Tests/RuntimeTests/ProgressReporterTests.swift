import Foundation
import Runtime
import Synchronization
import Testing

/// Collects what a reporter writes and lets the test set the time.
final class Terminal: Sendable {
    let written = Mutex<[String]>([])
    let now = Mutex(Date(timeIntervalSince1970: 1_795_309_323)) // 2026-11-22T01:02:03Z

    var output: @Sendable (String) -> Void { { text in self.written.withLock { $0.append(text) } } }
    var clock: @Sendable () -> Date { { self.now.withLock { $0 } } }
    var text: String { written.withLock { $0.joined() } }

    func advance(_ seconds: Double) {
        now.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

struct ProgressReporterTests {
    let dir: TemporaryDirectory
    let terminal = Terminal()

    init() throws {
        dir = try TemporaryDirectory()
    }

    var log: URL { dir.path("log.txt") }

    func logText() throws -> String {
        try String(contentsOf: log, encoding: .utf8)
    }

    @Test func plainLinesAreTimestampedAndThrottled() throws {
        let reporter = try ProgressReporter(style: .plain(interval: 5), log: log, output: terminal.output,
                                            clock: terminal.clock)
        reporter.info(step: "train", "runs: epochs changed from 1 to 2")
        reporter.progress(step: "train", "batch 1/860")
        terminal.advance(2)
        reporter.progress(step: "train", "batch 2/860")
        terminal.advance(3)
        reporter.progress(step: "train", "batch 3/860")
        reporter.warning("warning: cache entry 0123456789ab is corrupt")
        let expected = """
            [2026-11-22T01:02:03Z] train: runs: epochs changed from 1 to 2
            [2026-11-22T01:02:03Z] train: batch 1/860
            [2026-11-22T01:02:08Z] train: batch 3/860
            [2026-11-22T01:02:08Z] warning: cache entry 0123456789ab is corrupt

            """
        #expect(terminal.text == expected)
        #expect(try logText() == expected)
    }

    @Test func quietShowsOnlyErrorsButLogsEverything() throws {
        let reporter = try ProgressReporter(style: .quiet, log: log, output: terminal.output, clock: terminal.clock)
        reporter.info(step: "load", "cached (run 2026-11-22T00:00:00Z)")
        reporter.progress(step: "train", "batch 1/860")
        reporter.error("error: step train failed")
        #expect(terminal.text == "[2026-11-22T01:02:03Z] error: step train failed\n")
        #expect(try logText().split(separator: "\n").count == 3)
    }

    @Test func liveLineIsRewrittenInPlaceAndCutToTheWidth() throws {
        let reporter = try ProgressReporter(style: .live(width: 20), log: log, output: terminal.output,
                                            clock: terminal.clock)
        reporter.progress(step: "train", "epoch 1/12 batch 400/860")
        terminal.advance(0.05)
        reporter.progress(step: "train", "too soon to redraw")
        terminal.advance(0.1)
        reporter.progress(step: "train", "epoch 1/12 batch 401/860")
        reporter.info(step: "train", "done")
        reporter.finish()
        #expect(terminal.written.withLock { $0 } == [
            "\rtrain: epoch 1/12 b\u{1B}[K",
            "\rtrain: epoch 1/12 b\u{1B}[K",
            "\r\u{1B}[Ktrain: done\n",
        ])
        // The log reads like the plain style: timestamped, throttled.
        #expect(try logText() == """
            [2026-11-22T01:02:03Z] train: epoch 1/12 batch 400/860
            [2026-11-22T01:02:03Z] train: done

            """)
    }

    @Test func manyThreadsReportingAtOnce() async throws {
        let reporter = try ProgressReporter(style: .plain(interval: 0), log: log, output: terminal.output,
                                            clock: terminal.clock)
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<8 {
                group.addTask {
                    for batch in 0..<100 { reporter.progress(step: "t\(thread)", "batch \(batch)") }
                }
            }
        }
        #expect(terminal.written.withLock { $0.count } == 800)
        let lines = try logText().split(separator: "\n")
        #expect(lines.count == 800)
        #expect(lines.allSatisfy { $0.hasPrefix("[2026-11-22T01:02:03Z] t") })
    }

    @Test func trainingLineFormat() {
        let line = TrainingProgress(epoch: 3, epochs: 12, batch: 400, batches: 860, loss: 0.04231, accuracy: 0.98712,
                                    imagesPerSecond: 1850.2, secondsLeft: 130)
        #expect(line.description == "epoch 3/12 batch 400/860 loss 0.0423 acc 98.7% 1850 img/s 2m10s left")
        #expect(TrainingProgress.duration(45) == "45s")
        #expect(TrainingProgress.duration(3720) == "1h02m")
    }
}
