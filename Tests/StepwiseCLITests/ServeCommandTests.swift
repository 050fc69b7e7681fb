import Foundation
import Imaging
import NeuralNet
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `stepwise serve` as people run it: the real binary on an ephemeral port, spoken to over a socket.
@Suite("stepwise serve through the binary")
struct ServeCommandTests {
    /// A running `stepwise serve`, its port read from the `listening on` line.
    final class Server {
        let process: Process
        let port: Int
        let errors: Pipe
        let startup: Duration

        init(project: URL, arguments: [String] = [], binary: URL = CLI.binary) throws {
            process = CLI.process(["serve", "--port", "0", "--project", project.path] + arguments, in: project)
            process.executableURL = binary
            errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            let started = ContinuousClock.now
            try process.run()
            var seen = ""
            var port: Int?
            let handle = errors.fileHandleForReading
            while port == nil {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
                if let range = seen.range(of: "listening on http://127.0.0.1:") {
                    port = Int(seen[range.upperBound...].prefix { $0.isNumber })
                }
            }
            startup = ContinuousClock.now - started
            guard let port else { throw CLIFailure("serve did not start: \(seen)") }
            self.port = port
        }

        /// Stops with `signal`; returns the exit status and everything it logged after startup.
        func stop(_ signal: Int32 = SIGTERM) -> (status: Int32, log: String) {
            kill(process.processIdentifier, signal)
            let rest = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: rest, as: UTF8.self))
        }
    }

    struct CLIFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A connected socket to the server on loopback.
    static func connectTo(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIFailure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw CLIFailure("connect: \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func write(_ fd: Int32, _ data: Data) {
        _ = data.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// One HTTP/1.1 exchange over a plain socket (`Connection: close`): status, body and the head (status line, headers).
    static func http(port: Int, _ head: String, body: Data = Data()) throws -> (status: Int, body: String, head: String) {
        let fd = try connectTo(port: port)
        defer { close(fd) }
        write(fd, Data((head + "\r\n\r\n").utf8) + body)
        return readResponse(fd)
    }

    /// Reads until the server closes the connection.
    static func readResponse(_ fd: Int32) -> (status: Int, body: String, head: String) {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        let text = String(decoding: received, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let split = text.range(of: "\r\n\r\n")
        let payload = split.map { String(text[$0.upperBound...]) } ?? ""
        return (status, payload, split.map { String(text[..<$0.lowerBound]) } ?? text)
    }

    /// A small random model (10 finite outputs) where `stepwise serve` looks for one.
    static func writeModel(in project: ScratchProject) throws {
        let model = try Model(layers: [.conv2d(inChannels: 1, outChannels: 4, kernelSize: 3, stride: 1, padding: 0), .relu,
                                       .maxpool2d(kernelSize: 2, stride: 2), .flatten, .dense(inFeatures: 4 * 13 * 13, outFeatures: 10)],
                              inputShape: [1, 28, 28], normalization: InputNormalization(), seed: 7)
        try FileManager.default.createDirectory(at: project.url("Outputs/models"), withIntermediateDirectories: true)
        try model.save(to: project.url("Outputs/models/cnn.safetensors"), metadata: ["stepwise.test_accuracy": "0.5"])
    }

    /// A 28x28 white-on-black stroke.
    static func digitPNG() throws -> Data {
        var pixels = [UInt8](repeating: 0, count: 28 * 28)
        for y in 5..<23 { for x in 13..<16 { pixels[y * 28 + x] = 255 } }
        return try PNG.encode(gray: pixels, width: 28, height: 28)
    }

    @Test func predictOverSocketAndStopCleanly() throws {
        let project = try ScratchProject()
        try Self.writeModel(in: project)
        let server = try Server(project: project.root)
        #expect(server.startup < .seconds(5), "ready after \(server.startup)")
        let png = try Self.digitPNG()

        let predicted = try Self.http(port: server.port, """
            POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\nConnection: close
            """, body: png)
        #expect(predicted.status == 200, "\(predicted.body)")
        let object = try JSONSerialization.jsonObject(with: Data(predicted.body.utf8)) as? [String: Any]
        #expect((object?["probabilities"] as? [Double])?.count == 10)
        #expect((object?["model"] as? [String: Any])?["test_accuracy"] as? Double == 0.5)

        // A body claiming 100 MB is refused from its Content-Length, without sending (or reading) it.
        let huge = try Self.http(port: server.port, """
            POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: 100000000\r\nConnection: close
            """)
        #expect(huge.status == 413)
        #expect(huge.body.contains("over the limit"))

        let health = try Self.http(port: server.port, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close")
        #expect(health.status == 200)

        let (status, log) = server.stop(SIGTERM)
        #expect(status == 0, "\(log)")
        // One timestamped line per request: method, path, status, milliseconds.
        let lines = log.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("[20") && $0.contains("Z] POST /api/predict 200 ") && $0.hasSuffix(" ms") }, "\(log)")
        #expect(lines.contains { $0.contains("] POST /api/predict 413 ") }, "\(log)")
        #expect(lines.contains { $0.contains("] GET /healthz 200 ") }, "\(log)")
        #expect(FileManager.default.fileExists(atPath: project.url("Outputs/serve/predictions.sqlite").path))
    }

    /// SIGTERM while a request is half sent: the server stops accepting, answers that request, then exits 0.
    @Test func inFlightRequestFinishesAfterSIGTERM() throws {
        let project = try ScratchProject()
        try Self.writeModel(in: project)
        let server = try Server(project: project.root)
        let png = try Self.digitPNG()
        let fd = try Self.connectTo(port: server.port)
        defer { close(fd) }
        Self.write(fd, Data("POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\nConnection: close\r\n\r\n".utf8)
                   + png.prefix(png.count / 2))
        usleep(300_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(300_000)
        Self.write(fd, png.suffix(from: png.count / 2))
        let answer = Self.readResponse(fd)
        #expect(answer.status == 200, "\(answer.body)")
        let (status, log) = server.stop(SIGTERM)
        #expect(status == 0, "\(log)")
        #expect(log.contains("POST /api/predict 200"), "\(log)")
    }

    /// The binary copied alone into an empty folder (no resource bundle beside it) serves its page, byte for byte
    /// the repository's files, and HEAD answers the headers without a body.
    @Test func binaryCopiedAloneServesThePage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-alone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let alone = folder.appendingPathComponent("stepwise")
        try FileManager.default.copyItem(at: CLI.binary, to: alone)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["stepwise"])
        let project = try ScratchProject()
        let server = try Server(project: project.root, binary: alone)
        let page = CLI.repositoryRoot.appendingPathComponent("Sources/Server/Page")
        for (path, file) in [("/", "index.html"), ("/stats", "stats.html"), ("/static/app.js", "app.js"),
                             ("/static/stats.js", "stats.js"), ("/static/style.css", "style.css")] {
            let got = try Self.http(port: server.port, "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close")
            #expect(got.status == 200, "GET \(path): \(got.status)")
            #expect(got.body == (try String(contentsOf: page.appendingPathComponent(file), encoding: .utf8)), "\(path) is not \(file)")
        }
        let head = try Self.http(port: server.port, "HEAD /static/app.js HTTP/1.1\r\nHost: localhost\r\nConnection: close")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        let size = try Data(contentsOf: page.appendingPathComponent("app.js")).count
        #expect(head.head.lowercased().contains("content-length: \(size)"), "\(head.head)")
        let (status, log) = server.stop(SIGTERM)
        #expect(status == 0, "\(log)")
        #expect(log.contains("HEAD /static/app.js 200"), "\(log)")
    }

    @Test func interruptExitsZero() throws {
        let project = try ScratchProject()
        let server = try Server(project: project.root)
        let (status, log) = server.stop(SIGINT)
        #expect(status == 0, "\(log)")
    }

    @Test func unusableModelStopsStartup() throws {
        let project = try ScratchProject()
        try FileManager.default.createDirectory(at: project.url("Outputs/models"), withIntermediateDirectories: true)
        try Data("not a model".utf8).write(to: project.url("Outputs/models/cnn.safetensors"))
        let result = try CLI.run(["serve", "--port", "0"], in: project.root)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("cnn.safetensors"))
    }
}
