import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for fetch tests. It answers one request per
/// connection from a fixed table, serves at most `maxConnections` connections and stops by itself after
/// `lifetime` seconds, so a broken test cannot leave it running.
final class LoopbackHTTPServer: @unchecked Sendable {
    enum Reply: Sendable {
        case ok(Data)
        case notFound
        /// Announces `claimed` bytes in Content-Length but sends only `body` and closes.
        case truncated(Data, claimed: Int)
    }

    let port: UInt16
    private let listener: Int32
    private let routes: [String: Reply]
    private let lock = NSLock()
    private var served: [String] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// The paths requested so far, in order.
    var requests: [String] { lock.withLock { served } }

    init(routes: [String: Reply], maxConnections: Int = 64, lifetime: TimeInterval = 60) throws {
        self.routes = routes
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        let deadline = Date().addingTimeInterval(lifetime)
        Thread.detachNewThread { [self] in
            serve(maxConnections: maxConnections, deadline: deadline)
            finished.signal()
        }
    }

    /// Stops accepting and waits for the serving thread to end.
    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
        close(listener)
    }

    private func serve(maxConnections: Int, deadline: Date) {
        var connections = 0
        while connections < maxConnections, Date() < deadline, !lock.withLock({ stopping }) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            connections += 1
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.contains(sequence: [13, 10, 13, 10]) && request.count < 65536 {
            let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            request.append(contentsOf: chunk.prefix(n))
        }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
        let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        lock.withLock { served.append(path) }
        switch routes[path] ?? .notFound {
        case .ok(let body):
            send(client, header(status: "200 OK", length: body.count) + body)
        case .notFound:
            let body = Data("not found\n".utf8)
            send(client, header(status: "404 Not Found", length: body.count) + body)
        case .truncated(let body, let claimed):
            send(client, header(status: "200 OK", length: claimed) + body)
        }
    }

    private func header(status: String, length: Int) -> Data {
        Data("HTTP/1.1 \(status)\r\nContent-Length: \(length)\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n".utf8)
    }

    private func send(_ client: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.send(client, raw.baseAddress! + done, raw.count - done, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                done += n
            }
        }
    }
}

private extension Array where Element == UInt8 {
    func contains(sequence: [UInt8]) -> Bool {
        guard count >= sequence.count else { return false }
        return (0...(count - sequence.count)).contains { self[$0..<($0 + sequence.count)].elementsEqual(sequence) }
    }
}
