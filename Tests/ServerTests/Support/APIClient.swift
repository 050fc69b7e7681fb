import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Sends requests through a Hummingbird test client, decodes JSON answers, and records every answer so that
/// `OpenAPIRecorder.check()` can hold them against docs/openapi.yaml.
struct APIClient {
    let client: any TestClientProtocol
    let recorder: OpenAPIRecorder

    struct Answer {
        var status: Int
        var headers: HTTPFields
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var error: String? { json["error"] as? String }
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, body: Data? = nil, contentType: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> Answer {
        var headers = extra
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(uri: uri, method: method, headers: headers,
                                                body: body.map { ByteBuffer(bytes: $0) })
        let answer = Answer(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body))
        let path = String(uri.split(separator: "?", maxSplits: 1).first ?? "")
        if path.hasPrefix("/api/") || path == "/healthz",
           let object = try? JSONSerialization.jsonObject(with: answer.body) {
            recorder.record(path: path, method: method.rawValue.lowercased(), status: answer.status, body: object)
        }
        return answer
    }

    func predict(_ png: Data) async throws -> Answer {
        try await send(.post, "/api/predict", body: png, contentType: "image/png")
    }

    func feedback(_ object: [String: Any], token: String? = nil) async throws -> Answer {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await send(.post, "/api/feedback", body: try JSONSerialization.data(withJSONObject: object),
                              contentType: "application/json", headers: headers)
    }
}

/// The answers a test got, checked against docs/openapi.yaml by scripts/check-openapi.py (PyYAML, jsonschema).
final class OpenAPIRecorder: Sendable {
    /// One JSON object per answer: path, method, status, body.
    private let answers = Mutex<[Data]>([])

    func record(path: String, method: String, status: Int, body: Any) {
        guard let data = try? JSONSerialization.data(withJSONObject: ["path": path, "method": method, "status": status, "body": body])
        else { return }
        answers.withLock { $0.append(data) }
    }

    /// Runs the checker; a mismatch fails the test with the checker's lines.
    func check() throws {
        let all = answers.withLock { $0 }
        guard !all.isEmpty else { return }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-answers-\(UUID().uuidString).json")
        try (Data("[".utf8) + Data(all.joined(separator: Data(",".utf8))) + Data("]".utf8)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let root = ServerFixture.repositoryRoot
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [ProcessInfo.processInfo.environment["STEPWISE_PYTHON"] ?? "python3",
                             root.appendingPathComponent("scripts/check-openapi.py").path,
                             root.appendingPathComponent("docs/openapi.yaml").path, file.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "answers do not match docs/openapi.yaml:\n\(text)")
    }
}
