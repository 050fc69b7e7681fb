import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

/// Every bad input gets its status and a JSON error, and nothing is written: no upload kept, no feedback
/// stored, no prediction logged.
@Suite("serve: bad input")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var uri: String
        var body: Data
        var contentType: String?
        var status: Int
        var message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let png = TestImages.seven()
        return [
            Case(name: "over the body limit", uri: "/api/predict", body: Data(count: 2_000_001), contentType: "image/png",
                 status: 413, message: "over the limit"),
            Case(name: "text, not an image", uri: "/api/predict", body: Data("hello".utf8), contentType: "text/plain",
                 status: 415, message: "not an image"),
            Case(name: "bytes that are not PNG or JPEG", uri: "/api/predict", body: Data("GIF89a.......".utf8), contentType: "image/png",
                 status: 415, message: "not a PNG or JPEG"),
            Case(name: "truncated JPEG", uri: "/api/predict", body: Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]), contentType: "image/jpeg",
                 status: 422, message: "truncated or damaged"),
            Case(name: "empty body", uri: "/api/predict", body: Data(), contentType: "image/png", status: 415, message: "empty"),
            Case(name: "truncated PNG", uri: "/api/predict", body: png.prefix(png.count / 2), contentType: "image/png",
                 status: 422, message: "truncated or damaged"),
            Case(name: "header only", uri: "/api/predict", body: png.prefix(20), contentType: "image/png",
                 status: 422, message: "truncated or damaged"),
            Case(name: "decompression bomb header", uri: "/api/predict", body: TestImages.claiming(width: 10_000, height: 10_000),
                 contentType: "image/png", status: 422, message: "10000x10000"),
            Case(name: "blank image", uri: "/api/predict", body: TestImages.blank(), contentType: "image/png",
                 status: 422, message: "no ink found"),
            Case(name: "multipart without a file", uri: "/api/predict", body: Data("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n".utf8),
                 contentType: "multipart/form-data; boundary=b", status: 400, message: "file"),
            Case(name: "label 10 with an image", uri: "/api/feedback?label=10", body: png, contentType: "image/png",
                 status: 422, message: "0 to 9"),
            Case(name: "label x with an image", uri: "/api/feedback?label=x", body: png, contentType: "image/png",
                 status: 422, message: "0 to 9"),
            Case(name: "blank image as feedback", uri: "/api/feedback?label=3", body: TestImages.blank(), contentType: "image/png",
                 status: 422, message: "no ink found"),
            Case(name: "label -1", uri: "/api/feedback", body: Data(#"{"id":"ID","label":-1}"#.utf8), contentType: "application/json",
                 status: 422, message: "0 to 9"),
            Case(name: "label as text", uri: "/api/feedback", body: Data(#"{"id":"ID","label":"7"}"#.utf8), contentType: "application/json",
                 status: 422, message: "0 to 9"),
            Case(name: "label 2.5", uri: "/api/feedback", body: Data(#"{"id":"ID","label":2.5}"#.utf8), contentType: "application/json",
                 status: 422, message: "0 to 9"),
            Case(name: "unknown verdict", uri: "/api/feedback", body: Data(#"{"id":"ID","verdict":"maybe"}"#.utf8), contentType: "application/json",
                 status: 422, message: "verdict"),
            Case(name: "unknown id", uri: "/api/feedback", body: Data(#"{"id":"no-such-id","label":3}"#.utf8), contentType: "application/json",
                 status: 404, message: "no prediction"),
            Case(name: "not JSON", uri: "/api/feedback", body: Data("label=3".utf8), contentType: "application/json",
                 status: 400, message: "JSON object"),
            Case(name: "no id", uri: "/api/feedback", body: Data(#"{"label":3}"#.utf8), contentType: "application/json",
                 status: 400, message: "id"),
        ]
    }()

    @Test(arguments: cases)
    func refused(_ c: Case) async throws {
        let fixture = try ServerFixture()
        let recorder = OpenAPIRecorder()
        let app = try await fixture.application(maxBody: 2_000_000)
        try await app.test(.router) { client in
            let api = APIClient(client: client, recorder: recorder)
            // A real prediction first, so that "ID" stands for a known id and the log is not empty.
            let known = try await api.predict(TestImages.one())
            let id = try #require(known.json["id"] as? String)
            let uploadsBefore = fixture.files(under: fixture.uploadsFolder)
            let body = c.body.count < 200 ? Data(String(decoding: c.body, as: UTF8.self).replacingOccurrences(of: "\"ID\"", with: "\"\(id)\"").utf8) : c.body
            let answer = try await api.send(.post, c.uri, body: c.contentType == "application/json" ? body : c.body,
                                            contentType: c.contentType)
            #expect(answer.status == c.status, "\(c.name): \(answer.error ?? String(decoding: answer.body, as: UTF8.self))")
            #expect(answer.error?.contains(c.message) == true, "\(c.name): \(answer.error ?? "no error")")
            #expect(answer.headers[.contentType]?.hasPrefix("application/json") == true)
            // Nothing written.
            #expect(fixture.files(under: fixture.uploadsFolder) == uploadsBefore)
            #expect(fixture.files(under: fixture.feedbackFolder).isEmpty)
            let stats = try await api.send(.get, "/api/stats").json
            #expect(stats["predictions"] as? Int == 1)
            #expect(stats["answered"] as? Int == 0)
        }
        try recorder.check()
    }
}
