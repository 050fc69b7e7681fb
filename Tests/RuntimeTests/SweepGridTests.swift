import Foundation
import Synchronization
@testable import Runtime
import Tensor
import Testing

@Suite("sweep grid and compute claims")
struct SweepGridTests {
    @Test func expandsAxesFirstSlowestWithFixedValuesInEveryPoint() throws {
        let grid = try SweepGrid.parse(["train.lr=0.001,0.003", "load.limit=200", "train.epochs = 12, 24 ,36"])
        #expect(grid.axes.map(\.parameter) == ["train.lr", "train.epochs"])
        #expect(grid.axes[1].values == ["12", "24", "36"])
        #expect(grid.fixed == ["load.limit=200"])
        #expect(grid.count == 6)
        #expect(grid.values(ofPoint: 0) == ["0.001", "12"])
        #expect(grid.values(ofPoint: 2) == ["0.001", "36"])
        #expect(grid.values(ofPoint: 3) == ["0.003", "12"])
        #expect(grid.values(ofPoint: 5) == ["0.003", "36"])
        #expect(grid.overrides(ofPoint: 4) == ["load.limit=200", "train.lr=0.003", "train.epochs=24"])
        #expect(grid.label(ofPoint: 1) == "train.lr=0.001, train.epochs=24")
        // Every point is distinct.
        #expect(Set((0..<grid.count).map(grid.values(ofPoint:))).count == 6)
    }

    @Test func commasInsideQuotesBelongToTheValue() throws {
        let grid = try SweepGrid.parse([#"save.note="a,b","c""#])
        #expect(grid.axes[0].values == [#""a,b""#, #""c""#])
    }

    @Test func rangesGenerateTheirValues() throws {
        let grid = try SweepGrid.parse(["train.epochs=range(4, 13, 4)", "train.lr=geomspace(0.0001, 0.01, 5)",
                                        "preprocess.zoom=linspace(0, 0.2, 3)", "train.batch=range(2,4)"])
        #expect(grid.axes.map(\.values) == [["4", "8", "12"], ["0.0001", "0.000316228", "0.001", "0.00316228", "0.01"],
                                             ["0", "0.1", "0.2"], ["2", "3"]])
        #expect(try SweepGrid.parse(["train.epochs=range(24, 11, -6)"]).axes[0].values == ["24", "18", "12"])
        #expect(try SweepGrid.parse(["train.lr=linspace(1e-3, 3e-3, 3)"]).axes[0].values == ["0.001", "0.002", "0.003"])
        #expect(SweepGrid.decimal(1_234_560.4) == "1234560")
        #expect(SweepGrid.decimal(-2.5) == "-2.5")
    }

    @Test(arguments: [
        (["train.epochs=range(1, 2)"], "gives 1 values"),
        (["train.epochs=range(1, 5, 0)"], "step cannot be 0"),
        (["train.epochs=range(1.5, 5)"], "two or three whole numbers"),
        (["train.lr=geomspace(0, 0.1, 3)"], "two positive ends"),
        (["train.lr=linspace(0.1, 0.1, 3)"], "the same"),
        (["train.lr=linspace(0.1, 0.2)"], "two numbers and a count"),
        (["train.lr=linspace(0.1, 0.2, 1)"], "must be 2 to 1000"),
        (["train.lr=linspace(0.1, 0.1000001, 5)"], "too close"),
        (["train.lr=0.001"], "nothing to sweep"),
        (["train.lr"], "write --set STEP.KEY=VALUE"),
        (["lr=0.1,0.2"], "missing step name"),
        (["train.lr=0.1,,0.2"], "an empty value"),
        (["train.lr=0.1,0.1"], "listed twice"),
        (["train.lr=0.1,0.2", "train.lr=0.3,0.4"], "given twice"),
        (["train.lr=" + (1...40).map(String.init).joined(separator: ","), "train.epochs=" + (1...40).map(String.init).joined(separator: ",")],
         "more than 1000"),
    ])
    func badGridsAreUsageErrors(arguments: [String], message: String) {
        do {
            _ = try SweepGrid.parse(arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            #expect(error.kind == .usage)
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func aClaimIsHeldByOneThreadAtATime() throws {
        let dir = try TemporaryDirectory()
        let cache = CacheStore(root: dir.url)
        let key = CacheKey(hex: String(repeating: "ab", count: 32))!
        let inside = Mutex(0)
        let most = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let claim = try! ComputeClaim.acquire(key, in: cache)
            let now = inside.withLock { $0 += 1; return $0 }
            most.withLock { $0 = max($0, now) }
            usleep(50_000)
            inside.withLock { $0 -= 1 }
            claim.release()
        }
        #expect(most.withLock { $0 } == 1)
        #expect(!FileManager.default.fileExists(atPath: ComputeClaim.url(for: key, in: cache).path))
    }

    @Test func aClaimWhoseHolderIsGoneIsTakenOver() throws {
        let dir = try TemporaryDirectory()
        let cache = CacheStore(root: dir.url)
        let key = CacheKey(hex: String(repeating: "cd", count: 32))!
        let url = ComputeClaim.url(for: key, in: cache)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // A process of this host that has ended (pid 2^22 + 1 is above Linux's pid_max default of 2^22).
        try Data("host \(ComputeClaim.hostName) pid 4194305 started 2026-11-30T00:00:00Z\n".utf8).write(to: url)
        #expect(ComputeClaim.isStale(url))
        // Another host's live-looking claim is honoured until it stops being touched.
        try Data("host elsewhere pid 1 started 2026-11-30T00:00:00Z\n".utf8).write(to: url)
        #expect(!ComputeClaim.isStale(url))
        #expect(ComputeClaim.isStale(url, now: Date().addingTimeInterval(ComputeClaim.staleAfter + 1)))
        // This host's live process (ourselves) holds it.
        try Data("host \(ComputeClaim.hostName) pid \(getpid()) started 2026-11-30T00:00:00Z\n".utf8).write(to: url)
        #expect(!ComputeClaim.isStale(url))
        try Data("host \(ComputeClaim.hostName) pid 4194305 started 2026-11-30T00:00:00Z\n".utf8).write(to: url)
        let claim = try ComputeClaim.acquire(key, in: cache)
        #expect(ComputeClaim.holder(of: url).contains("pid \(getpid())"))
        claim.release()
    }

    /// On a shared file system a temporary of another host names a pid of that host: only its age counts.
    @Test func temporariesOfAnotherHostAreJudgedByAgeOnly() throws {
        #expect(LeftoverSweeper.writerPID(ofTemporary: ".report.md.4242@\(AtomicFile.hostTag).77.tmp") == 4242)
        #expect(LeftoverSweeper.writerPID(ofTemporary: ".report.md.4242@\(AtomicFile.hostTag)x.77.tmp") == nil)
        #expect(LeftoverSweeper.writerPID(ofTemporary: ".report.md.4242.77.tmp") == 4242)
        let dir = try TemporaryDirectory()
        let url = dir.path("entry.safetensors")
        try AtomicFile.write(Data("x".utf8), to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["entry.safetensors"])
        let sweeper = LeftoverSweeper(outputs: dir.url)
        // A dead pid (above Linux's default pid_max) of another host, ten minutes old: kept; of this host: removed.
        let other = dir.path(".entry.safetensors.4194305@elsewhere.1.tmp")
        let mine = dir.path(".entry.safetensors.4194305@\(AtomicFile.hostTag).2.tmp")
        for url in [other, mine] {
            try Data("partial".utf8).write(to: url)
            var times = [timespec(tv_sec: time(nil) - 600, tv_nsec: 0), timespec(tv_sec: time(nil) - 600, tv_nsec: 0)]
            utimensat(AT_FDCWD, url.path, &times, 0)
        }
        let report = sweeper.sweep(locked: [])
        #expect(report.removed.map(\.path) == [mine.path])
        #expect(FileManager.default.fileExists(atPath: other.path))
    }
}
