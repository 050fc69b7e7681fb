import Dispatch
import Foundation
import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// A claim on computing one cache entry, so that processes that need the same missing entry at the same time (the
/// points of a sweep, on one machine or many sharing Outputs/) compute it once: `Outputs/.cache/claims/<key>`.
///
/// The claim is a file created with `O_CREAT | O_EXCL`, which is atomic on local file systems and on NFS (v3 and
/// later); no flock, which NFS clients do not all honour. It names its holder (host, pid, start). While it holds
/// the claim, the holder touches the file every `heartbeat` seconds. A waiter takes over a claim whose holder is
/// gone: on its own host, a pid that no longer runs; on another host, a file not touched for `staleAfter` seconds.
/// Claims only save work: the entry itself is written under a temporary name and renamed, so two processes that
/// both compute it (a claim taken over from a holder that was only slow) leave one valid entry either way.
final class ComputeClaim: @unchecked Sendable {
    static let heartbeat: Double = 5
    static let staleAfter: Double = 60

    let url: URL
    private let timer: any DispatchSourceTimer
    private let lock = NSLock()
    private var released = false

    private init(url: URL) {
        self.url = url
        timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + Self.heartbeat, repeating: Self.heartbeat)
        timer.setEventHandler { [url] in _ = utimensat(AT_FDCWD, url.path, nil, 0) }
        timer.resume()
    }

    static func url(for key: CacheKey, in cache: CacheStore) -> URL {
        cache.root.appendingPathComponent("claims", isDirectory: true).appendingPathComponent(key.hex)
    }

    /// Takes the claim on `key`, waiting while another live process holds it. `waited` is called once if it had
    /// to wait (for the log). Throws when `stop` turns true while waiting, or when the claim file cannot be made.
    static func acquire(_ key: CacheKey, in cache: CacheStore, stop: () -> Bool = { false },
                        waited: (String) -> Void = { _ in }) throws -> ComputeClaim {
        let url = url(for: key, in: cache)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var told = false
        while true {
            let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                let line = "host \(hostName) pid \(getpid()) started \(Timestamp.string(Date()))\n"
                _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
                close(fd)
                return ComputeClaim(url: url)
            }
            guard errno == EEXIST else {
                throw FileError(path: url.path, reason: "cannot create this claim file: \(String(cString: strerror(errno)))")
            }
            if isStale(url) {
                unlink(url.path)
                continue
            }
            if !told {
                told = true
                waited(holder(of: url))
            }
            if stop() { throw StepFailure("stopped waiting for another process computing the same result") }
            usleep(200_000)
        }
    }

    /// Ends the claim: stops the heartbeat and removes the file. Safe to call more than once.
    func release() {
        lock.withLock {
            guard !released else { return }
            released = true
            timer.cancel()
            unlink(url.path)
        }
    }

    deinit { release() }

    static var hostName: String { AtomicFile.hostTag }

    /// The holder line as written: `host H pid P started T`.
    static func holder(of url: URL) -> String {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A claim whose holder is gone: its process no longer runs on this host, or (any host) it has not been
    /// touched for `staleAfter` seconds. A file with no holder line yet is young and left alone.
    static func isStale(_ url: URL, now: Date = Date()) -> Bool {
        var st = stat()
        guard stat(url.path, &st) == 0 else { return false }
        let touched = Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
        if now.timeIntervalSince(touched) > staleAfter { return true }
        let words = holder(of: url).split(separator: " ").map(String.init)
        guard words.count >= 4, words[0] == "host", words[2] == "pid", let pid = Int32(words[3]) else { return false }
        return words[1] == hostName && !LeftoverSweeper.isRunning(pid)
    }
}
