import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One run per workflow at a time: an exclusive flock(2) on `Outputs/<workflow>/.lock`.
///
/// The kernel drops the lock when the holder's file descriptor closes, so a killed run leaves nothing stale;
/// the pid and start time written into the file only serve the message a second run shows.
public final class WorkflowLock: Sendable {
    public let workflow: String
    public let url: URL
    private let descriptor: Mutex<Int32>

    private init(workflow: String, url: URL, descriptor: Int32) {
        self.workflow = workflow
        self.url = url
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the lock of `workflow`, whose folder is `directory` (`Outputs/<workflow>`, created if missing).
    /// Fails at once if another process holds it, or after polling for up to `wait` seconds; polling also
    /// stops, with code `.interrupted`, as soon as `stop` returns true.
    public static func acquire(workflow: String, directory: URL, wait: Double = 0,
                               now: @Sendable () -> Date = Date.init,
                               stop: @Sendable () -> Bool = { false }) throws(LockError) -> WorkflowLock {
        try acquire(url: directory.appendingPathComponent(".lock"), holder: workflow, subject: "the lock of \(workflow)",
                    heldBy: { "another run of \(workflow) holds the lock: \($0)" }, wait: wait, now: now, stop: stop)
    }

    /// Takes the lock on a file the workflow writes that other workflows write too (the model: train saves it,
    /// retrain fine-tunes and replaces it): `<folder>/.<name>.lock` beside it. A second writer waits up to `wait`
    /// seconds, then fails naming the run that holds it.
    public static func acquire(writing file: URL, display: String, workflow: String, wait: Double = 0,
                               now: @Sendable () -> Date = Date.init,
                               stop: @Sendable () -> Bool = { false }) throws(LockError) -> WorkflowLock {
        let url = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).lock")
        return try acquire(url: url, holder: workflow, subject: "the lock of \(display)",
                           heldBy: { "another run is using \(display) (\($0)); wait for it or run again with --wait SECONDS" },
                           wait: wait, now: now, stop: stop)
    }

    private static func acquire(url: URL, holder workflow: String, subject: String, heldBy: (String) -> String,
                                wait: Double, now: @Sendable () -> Date, stop: @Sendable () -> Bool) throws(LockError) -> WorkflowLock {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw LockError(.io, "cannot create \(directory.path) for \(subject): \(error.localizedDescription)")
        }
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LockError(.io, "cannot open lock file \(url.path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            guard reason == EWOULDBLOCK || reason == EINTR else {
                close(fd)
                throw LockError(.io, "cannot lock \(url.path): \(String(cString: strerror(reason)))")
            }
            if reason == EWOULDBLOCK && Date() >= deadline {
                let holder = readHolder(fd)
                close(fd)
                let who = holder.pid.map { pid in
                    (holder.workflow.map { "stepwise run \($0), " } ?? "") + "pid \(pid), started \(holder.started ?? "at an unknown time")"
                } ?? "its pid and start time are not written yet"
                let waited = wait > 0 ? " (gave up after waiting \(formatSeconds(wait)))" : ""
                throw LockError(.held, heldBy(who) + waited,
                                holderPID: holder.pid, holderStarted: holder.started)
            }
            if stop() {
                close(fd)
                throw LockError(.interrupted, "stopped waiting for the lock of \(workflow): interrupted")
            }
            usleep(100_000)
        }
        let line = "pid \(getpid()) started \(Timestamp.string(now())) workflow \(workflow)\n"
        let written = line.utf8CString.withUnsafeBufferPointer { buffer in
            ftruncate(fd, 0) == 0 ? pwrite(fd, buffer.baseAddress, buffer.count - 1, 0) : -1
        }
        guard written == line.utf8.count else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw LockError(.io, "cannot write the holder's pid into \(url.path): \(reason)")
        }
        return WorkflowLock(workflow: workflow, url: url, descriptor: fd)
    }

    /// Clears the holder line and drops the lock. Safe to call more than once.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            ftruncate(fd, 0)
            close(fd)
            fd = -1
        }
    }

    deinit {
        release()
    }

    /// Parses `pid <n> started <timestamp>`; tolerant of a holder that has not written it yet.
    private static func readHolder(_ fd: Int32) -> (pid: Int32?, started: String?, workflow: String?) {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return (nil, nil, nil) }
        let words = String(decoding: buffer[0..<n], as: UTF8.self).split(whereSeparator: \.isWhitespace)
        var pid: Int32?
        var started: String?
        var workflow: String?
        var i = 0
        while i + 1 < words.count {
            if words[i] == "pid" { pid = Int32(words[i + 1]) }
            if words[i] == "started" { started = String(words[i + 1]) }
            if words[i] == "workflow" { workflow = String(words[i + 1]) }
            i += 1
        }
        return (pid, started, workflow)
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
}
