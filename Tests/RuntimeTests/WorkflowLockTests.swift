import Foundation
import Runtime
import Testing

/// Contention between two real processes: a shell holds the lock through flock(1), the test process tries.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"),
                "needs /usr/bin/flock (util-linux) to hold the lock from a second process"))
struct WorkflowLockTests {
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory()
    }

    /// Starts `sh` holding an exclusive flock on `Outputs/train/.lock`, writing its pid and a start time the way
    /// a run does; returns once the lock is held.
    func holder() throws -> Process {
        let lockPath = dir.path("train", ".lock").path
        try FileManager.default.createDirectory(at: dir.path("train"), withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", """
            exec 9>>"$1"
            /usr/bin/flock -x 9
            printf 'pid %s started 2026-11-22T01:02:03Z\\n' $$ > "$1"
            echo locked
            exec sleep 30
            """, "sh", lockPath]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let line = pipe.fileHandleForReading.readData(ofLength: 7)
        #expect(String(decoding: line, as: UTF8.self) == "locked\n")
        return process
    }

    @Test func secondRunFailsAtOnceNamingTheHolder() throws {
        let process = try holder()
        defer { process.terminate(); process.waitUntilExit() }
        let started = Date()
        let error = #expect(throws: LockError.self) {
            try WorkflowLock.acquire(workflow: "train", directory: dir.path("train"))
        }
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(error?.code == .held)
        #expect(error?.holderPID == process.processIdentifier)
        #expect(error?.message
            == "another run of train holds the lock: pid \(process.processIdentifier), started 2026-11-22T01:02:03Z")
    }

    @Test func waitGivesUpAfterTheTimeout() throws {
        let process = try holder()
        defer { process.terminate(); process.waitUntilExit() }
        let started = Date()
        let error = #expect(throws: LockError.self) {
            try WorkflowLock.acquire(workflow: "train", directory: dir.path("train"), wait: 0.5)
        }
        #expect(Date().timeIntervalSince(started) >= 0.5)
        #expect(error?.message.hasSuffix("(gave up after waiting 0.5 s)") == true)
    }

    @Test func killedHolderLeavesNothingStale() throws {
        let process = try holder()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let lock = try WorkflowLock.acquire(workflow: "train", directory: dir.path("train"))
        let contents = try String(contentsOf: dir.path("train", ".lock"), encoding: .utf8)
        #expect(contents.hasPrefix("pid \(getpid()) started "))
        lock.release()
    }

    @Test func waitingRunGetsTheLockWhenTheHolderExits() throws {
        let process = try holder()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { process.terminate() }
        let lock = try WorkflowLock.acquire(workflow: "train", directory: dir.path("train"), wait: 10)
        process.waitUntilExit()
        lock.release()
    }

    @Test func releasedLockCanBeTakenAgainAndIsCleared() throws {
        let first = try WorkflowLock.acquire(workflow: "train", directory: dir.path("train"))
        #expect(throws: LockError.self) { try WorkflowLock.acquire(workflow: "train", directory: dir.path("train")) }
        first.release()
        first.release()
        #expect(try String(contentsOf: dir.path("train", ".lock"), encoding: .utf8).isEmpty)
        let second = try WorkflowLock.acquire(workflow: "train", directory: dir.path("train"))
        second.release()
    }
}
