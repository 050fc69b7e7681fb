import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a sweep's points on this machine, `jobs` at a time, each as its own `stepwise sweep … --point N` process
/// (the command a Slurm array task runs), its output in `points/<n>/output.txt`. A point that fails does not stop
/// the others. SIGINT or SIGTERM stops starting points and passes the signal on to those running (those in
/// another process group; those in this one got it with it).
public struct LocalSweepExecutor: Sendable {
    public let executable: URL
    public let jobs: Int

    public init(executable: URL, jobs: Int) {
        self.executable = executable
        self.jobs = max(1, jobs)
    }

    /// The running binary, for starting points.
    public static var currentExecutable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    /// Runs every point; `log` gets a line as each starts and ends. Returns each point's record (a point whose
    /// process ended without a final record gets one saying so).
    public func run(_ sweep: Sweep, interruption: Interruption? = nil, log: @escaping @Sendable (String) -> Void) throws -> [Int: SweepPointRecord] {
        let slots = DispatchSemaphore(value: jobs)
        let group = DispatchGroup()
        let running = Running()
        let total = sweep.grid.count
        var forwarded = false
        for point in 0..<total {
            while slots.wait(timeout: .now() + 0.2) == .timedOut {
                if let signal = interruption?.signal, !forwarded { running.signalAll(signal); forwarded = true }
            }
            if interruption?.isRequested == true { slots.signal(); break }
            let folder = sweep.pointFolder(point)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let outputURL = folder.appendingPathComponent("output.txt")
            _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
            let output = try FileHandle(forWritingTo: outputURL)
            let process = Process()
            process.executableURL = executable
            process.arguments = sweep.arguments(point: String(point))
            process.currentDirectoryURL = sweep.projectRoot
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            let label = sweep.grid.label(ofPoint: point)
            group.enter()
            process.terminationHandler = { process in
                try? output.close()
                running.remove(point)
                let record = Self.finalRecord(sweep, point: point, status: process.terminationStatus)
                log("point \(point + 1)/\(total) (\(label)): " + Self.describe(record))
                slots.signal()
                group.leave()
            }
            log("point \(point + 1)/\(total) (\(label)): started")
            do {
                try process.run()
            } catch {
                try? output.close()
                group.leave()
                slots.signal()
                throw SweepError(.scheduler, "cannot start \(executable.path): \(error)")
            }
            running.add(point, pid: process.processIdentifier)
        }
        while group.wait(timeout: .now() + 0.2) == .timedOut {
            if let signal = interruption?.signal, !forwarded { running.signalAll(signal); forwarded = true }
        }
        return sweep.records()
    }

    /// The point's record after its process ended with `status`: as it wrote it, or, when the process ended
    /// before writing how it went (killed, crashed), a failed record saying so.
    static func finalRecord(_ sweep: Sweep, point: Int, status: Int32) -> SweepPointRecord {
        let folder = sweep.pointFolder(point)
        if let record = SweepPointRecord.read(from: folder), record.status != .running { return record }
        var record = SweepPointRecord.read(from: folder) ?? SweepPointRecord(
            point: point, values: sweep.grid.values(ofPoint: point), overrides: sweep.grid.overrides(ofPoint: point),
            status: .failed, host: ComputeClaim.hostName, started: Timestamp.string(Date()))
        record.status = .failed
        let tail = ((try? String(contentsOf: folder.appendingPathComponent("output.txt"), encoding: .utf8)) ?? "")
            .split(separator: "\n").last.map { ": \($0)" } ?? ""
        record.error = "its process exited with status \(status) before recording its result\(tail)"
        record.ended = Timestamp.string(Date())
        try? record.write(to: folder)
        return record
    }

    static func describe(_ record: SweepPointRecord) -> String {
        switch record.status {
        case .succeeded:
            let accuracy = record.testAccuracy.map { "test accuracy " + Format.percent($0) } ?? "no test accuracy"
            return "succeeded, \(accuracy); computed \(record.computed.count), cached \(record.cached.count)"
        case .failed: return "failed: \(record.error ?? "unknown error")"
        case .running: return "still running"
        }
    }

    /// The pids of the running points, to pass a signal on.
    final class Running: @unchecked Sendable {
        private let lock = NSLock()
        private var pids: [Int: Int32] = [:]
        func add(_ point: Int, pid: Int32) { lock.withLock { pids[point] = pid } }
        func remove(_ point: Int) { lock.withLock { pids[point] = nil } }
        /// Passes `signal` on to each running point not in this process's group (a point in it got the signal
        /// already when it went to the group, as Ctrl-C does; a second one would stop it at once).
        func signalAll(_ signal: Int32) {
            lock.withLock {
                for pid in pids.values where getpgid(pid) != getpgrp() { kill(pid, signal) }
            }
        }
    }
}
