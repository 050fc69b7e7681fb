import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET into memory, synchronously, with progress callbacks and a size cap. URLSession's delegate
/// callbacks run on its own queue; the caller's thread waits on a semaphore, so this works from a plain
/// (non-async) command.
final class HTTPDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// Why a download failed, in words for a message.
    struct Failure: Error {
        let reason: String
    }

    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private let maxBytes: Int?
    private let progress: @Sendable (_ received: Int, _ expected: Int?) -> Void
    // Guarded by `lock`.
    private var received = Data()
    private var expected: Int?
    private var failure: String?

    private init(maxBytes: Int?, progress: @escaping @Sendable (Int, Int?) -> Void) {
        self.maxBytes = maxBytes
        self.progress = progress
    }

    /// Fetches `url`; fails on a non-200 status, a transport error, a timeout, or more than `maxBytes` bytes.
    static func get(_ url: URL, timeout: TimeInterval, maxBytes: Int?,
                    progress: @escaping @Sendable (Int, Int?) -> Void) -> Result<Data, Failure> {
        let download = HTTPDownload(maxBytes: maxBytes, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 10
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeout
        session.dataTask(with: request).resume()
        // URLSession's own timeouts end the task; the extra margin only guards against a callback never coming.
        if download.done.wait(timeout: .now() + timeout * 10 + 5) == .timedOut {
            return .failure(Failure(reason: "no answer within \(Int(timeout * 10)) s"))
        }
        return download.lock.withLock {
            if let failure = download.failure { return .failure(Failure(reason: failure)) }
            return .success(download.received)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            lock.withLock { failure = "HTTP \(http.statusCode)" }
            completionHandler(.cancel)
            return
        }
        let length = response.expectedContentLength
        if let maxBytes, length > maxBytes {
            lock.withLock { failure = "the server announces \(length) bytes, more than the expected \(maxBytes) bytes" }
            completionHandler(.cancel)
            return
        }
        lock.withLock { expected = length >= 0 ? Int(length) : nil }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let (count, total, tooBig) = lock.withLock {
            received.append(data)
            let tooBig = maxBytes.map { received.count > $0 } ?? false
            if tooBig { failure = "the server sent more than the expected \(maxBytes!) bytes" }
            return (received.count, expected, tooBig)
        }
        if tooBig {
            dataTask.cancel()
        } else {
            progress(count, total)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.withLock {
            if failure == nil, let error {
                failure = (error as? URLError).map { "\($0.localizedDescription) (URLError \($0.errorCode))" }
                    ?? "\(error)"
            }
            if failure == nil, let expected, received.count != expected {
                failure = "the response ended after \(received.count) of \(expected) bytes"
            }
        }
        done.signal()
    }
}
