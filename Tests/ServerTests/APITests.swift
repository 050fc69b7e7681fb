import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import Runtime
@testable import Server
import Testing

/// The JSON API end to end through the application (Hummingbird's router test client), every answer checked
/// against docs/openapi.yaml.
@Suite("serve: the JSON API")
struct APITests {
    @Test func predictFeedbackStats() async throws {
        let fixture = try ServerFixture()
        let recorder = OpenAPIRecorder()
        let app = try await fixture.application()
        try await app.test(.router) { client in
            let api = APIClient(client: client, recorder: recorder)
            let health = try await api.send(.get, "/healthz")
            #expect(health.status == 200)
            #expect(health.json["log"] as? String == "sqlite")

            // predict: the predict --json object plus id, model and the 28x28 the model saw.
            let predicted = try await api.predict(TestImages.seven())
            #expect(predicted.status == 200, "\(predicted.error ?? "")")
            let answer = predicted.json
            let id = try #require(answer["id"] as? String)
            let label = try #require(answer["label"] as? Int)
            #expect((answer["probabilities"] as? [Double])?.count == 10)
            #expect((answer["top3"] as? [[String: Any]])?.count == 3)
            let model = try #require(answer["model"] as? [String: Any])
            #expect((model["sha256"] as? String)?.count == 64)
            #expect(model["test_accuracy"] as? Double == 0.5)
            let digit = try PNG.decode(try #require(Data(base64Encoded: answer["digit"] as? String ?? "")))
            #expect(digit.width == 28 && digit.height == 28)
            #expect((answer["preprocessing"] as? String)?.contains("inverted") == true)
            // The upload is kept under its content hash, for feedback by id.
            let kept = fixture.files(under: fixture.uploadsFolder)
            #expect(kept == [FeedbackStoreHash.of(TestImages.seven()) + ".png"])

            // Multipart, as a browser's form sends it.
            let form = TestImages.multipart(TestImages.one(), filename: "one.png")
            let viaForm = try await api.send(.post, "/api/predict", body: form.body, contentType: form.contentType)
            #expect(viaForm.status == 200, "\(viaForm.error ?? "")")
            #expect(viaForm.json["file"] as? String == "one.png")
            #expect(viaForm.json["preprocessing"] as? String == "used as is (28x28 white on black)")

            // Feedback by id: stored in incorrect_predictions/ as `stepwise feedback` stores it.
            let truth = (label + 1) % 10
            let stored = try await api.feedback(["id": id, "label": truth])
            #expect(stored.status == 200, "\(stored.error ?? "")")
            #expect(stored.json["result"] as? String == "stored")
            #expect(stored.json["verdict"] as? String == "wrong")
            let entries = try FileManager.default.contentsOfDirectory(atPath: fixture.feedbackFolder.path)
            #expect(entries.count == 1)
            let entry = fixture.feedbackFolder.appendingPathComponent(try #require(entries.first))
            #expect(stored.json["entry"] as? String == "incorrect_predictions/\(entry.lastPathComponent)")
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: entry.path)) == ["original.png", "digit.png", "record.json"])
            let record = try JSONSerialization.jsonObject(with: Data(contentsOf: entry.appendingPathComponent("record.json"))) as? [String: Any]
            #expect(record?["true_label"] as? Int == truth)
            #expect(record?["predicted_label"] as? Int == label)
            #expect(record?["model_sha256"] as? String == model["sha256"] as? String)
            #expect(try Data(contentsOf: entry.appendingPathComponent("original.png")) == TestImages.seven())

            // The same again: stored once. Another label: relabelled.
            #expect(try await api.feedback(["id": id, "label": truth]).json["result"] as? String == "already_stored")
            let relabelled = try await api.feedback(["id": id, "label": (label + 2) % 10])
            #expect(relabelled.json["result"] as? String == "relabelled")
            // "Right" after a correction is refused: the stored correction and the log would disagree.
            let late = try await api.feedback(["id": id, "verdict": "right"])
            #expect(late.status == 409, "\(late.json)")
            #expect((late.json["error"] as? String)?.contains("already corrected") == true)

            // A confirmation, and feedback by image with ?label=.
            let right = try await api.feedback(["id": try #require(viaForm.json["id"] as? String), "verdict": "right"])
            #expect(right.json["result"] as? String == "not_stored")
            let byImage = try await api.send(.post, "/api/feedback?label=3", body: TestImages.seven(size: 90), contentType: "image/png")
            #expect(byImage.status == 200, "\(byImage.error ?? "")")

            // Stats reflect it all.
            let stats = try await api.send(.get, "/api/stats")
            #expect(stats.status == 200)
            let s = stats.json
            #expect(s["predictions"] as? Int == 3)
            #expect(s["answered"] as? Int == 3)
            let recent = try #require(s["recent"] as? [[String: Any]])
            #expect(recent.count == 3)
            #expect(recent.last?["id"] as? String == id)
            #expect(recent.last?["verdict"] as? String == "wrong")
            #expect(recent.last?["true_label"] as? Int == (label + 2) % 10)
            #expect(try PNG.decode(try #require(Data(base64Encoded: recent[0]["thumbnail"] as? String ?? ""))).width == 28)
            let confusion = try #require(s["confusion"] as? [[Int]])
            #expect(confusion[(label + 2) % 10][label] >= 1)
            #expect((s["model"] as? [String: Any])?["sha256"] as? String == model["sha256"] as? String)

            let modelAnswer = try await api.send(.get, "/api/model")
            #expect(modelAnswer.json["sha256"] as? String == model["sha256"] as? String)
        }
        try recorder.check()
        // One log line per request: method, path, status, milliseconds.
        let lines = fixture.lines.withLock { $0 }
        #expect(lines.contains { $0.hasPrefix("POST /api/predict 200 ") && $0.hasSuffix(" ms") })
        #expect(lines.filter { $0.hasPrefix("POST /api/feedback ") }.count == 6)
        #expect(lines.contains { $0.hasPrefix("POST /api/feedback 409 ") })
    }

    @Test func hotReload() async throws {
        let fixture = try ServerFixture()
        let recorder = OpenAPIRecorder()
        let app = try await fixture.application()
        try await app.test(.router) { client in
            let api = APIClient(client: client, recorder: recorder)
            let first = try await api.predict(TestImages.seven())
            let before = try #require((first.json["model"] as? [String: Any])?["sha256"] as? String)

            // A promoted model is renamed over the file: the next answer names it.
            let staged = fixture.url("Outputs/models/.candidate")
            try ServerFixture.writeModel(to: staged, seed: 2, testAccuracy: 0.75)
            #expect(rename(staged.path, fixture.modelURL.path) == 0)
            let second = try await api.predict(TestImages.seven())
            let after = try #require(second.json["model"] as? [String: Any])
            #expect(after["sha256"] as? String != before)
            #expect(after["sha256"] as? String == FeedbackStoreHash.of(try Data(contentsOf: fixture.modelURL)))
            #expect(after["test_accuracy"] as? Double == 0.75)

            // A model that does not give 10 outputs is refused; the one before goes on serving.
            try ServerFixture.writeModel(to: staged, seed: 3, classes: 5)
            #expect(rename(staged.path, fixture.modelURL.path) == 0)
            let third = try await api.predict(TestImages.seven())
            #expect(third.status == 200)
            #expect((third.json["model"] as? [String: Any])?["sha256"] as? String == after["sha256"] as? String)
        }
        try recorder.check()
        #expect(fixture.lines.withLock { $0 }.contains { $0.contains("model not reloaded") && $0.contains("10") })
    }

    @Test func tokenGuardsFeedback() async throws {
        let fixture = try ServerFixture()
        let recorder = OpenAPIRecorder()
        let app = try await fixture.application(token: "s3cret")
        try await app.test(.router) { client in
            let api = APIClient(client: client, recorder: recorder)
            let id = try #require(try await api.predict(TestImages.seven()).json["id"] as? String)
            let refused = try await api.feedback(["id": id, "label": 4])
            #expect(refused.status == 401)
            #expect(try await api.feedback(["id": id, "label": 4], token: "wrong").status == 401)
            #expect(fixture.files(under: fixture.feedbackFolder).isEmpty)
            let accepted = try await api.feedback(["id": id, "label": 4], token: "s3cret")
            #expect(accepted.status == 200, "\(accepted.error ?? "")")
        }
        try recorder.check()
    }

    @Test func pagesAndHeaders() async throws {
        let fixture = try ServerFixture(model: false)
        try FileManager.default.createDirectory(at: fixture.url("Outputs/train/charts"), withIntermediateDirectories: true)
        try "# Train report\n\n![loss](charts/loss.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
            .write(to: fixture.url("Outputs/train/report.md"), atomically: true, encoding: .utf8)
        let chart = TestImages.one()
        try chart.write(to: fixture.url("Outputs/train/charts/loss.png"))
        let recorder = OpenAPIRecorder()
        let app = try await fixture.application()
        try await app.test(.router) { client in
            let api = APIClient(client: client, recorder: recorder)
            let page = try await api.send(.get, "/")
            #expect(page.status == 200)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(try await api.send(.get, "/static/app.js").headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(try await api.send(.get, "/stats").status == 200)
            #expect(try await api.send(.get, "/static/..%2FPackage.swift").status == 404)
            #expect(try await api.send(.get, "/static/secret.txt").status == 404)

            let report = try await api.send(.get, "/reports/train")
            #expect(report.status == 200)
            let html = String(decoding: report.body, as: UTF8.self)
            #expect(html.contains("<h1>Train report</h1>"))
            #expect(html.contains("<base href=\"/reports/train/\">"))
            #expect(try await api.send(.get, "/reports/train/charts/loss.png").body == chart)
            #expect(try await api.send(.get, "/reports/nope").status == 404)
            #expect(try await api.send(.get, "/reports/retrain").status == 404)   // a workflow without a report yet
            #expect(try await api.send(.get, "/reports/train/charts/..%2F..%2FPackage.swift").status == 404)
            #expect(try await api.send(.get, "/reports/train/charts/loss.gp").status == 404)

            // No model yet: predict says so (503), and health says there is none.
            let noModel = try await api.predict(TestImages.seven())
            #expect(noModel.status == 503)
            #expect(noModel.error?.contains("stepwise run train") == true)
            #expect(try await api.send(.get, "/healthz").json["model"] is NSNull)
            #expect(try await api.send(.get, "/api/model").status == 503)
            let missing = try await api.send(.get, "/api/nothing")
            #expect(missing.status == 404)
            #expect(missing.error != nil)
        }
        try recorder.check()
    }
}

extension APITests {
    /// The page's files as the binary serves them are the repository's files, byte for byte; HEAD on them and
    /// on every GET endpoint answers the GET's status and headers with no body.
    @Test func pageFilesAndHEAD() async throws {
        let fixture = try ServerFixture()
        try FileManager.default.createDirectory(at: fixture.url("Outputs/train/charts"), withIntermediateDirectories: true)
        try "# Train report\n\n![loss](charts/loss.png)\n".write(to: fixture.url("Outputs/train/report.md"), atomically: true, encoding: .utf8)
        try TestImages.one().write(to: fixture.url("Outputs/train/charts/loss.png"))
        let recorder = OpenAPIRecorder()
        let app = try await fixture.application()
        try await app.test(.router) { client in
            let api = APIClient(client: client, recorder: recorder)
            let page = ServerFixture.repositoryRoot.appendingPathComponent("Sources/Server/Page")
            for (path, file) in [("/", "index.html"), ("/stats", "stats.html"), ("/static/app.js", "app.js"),
                                 ("/static/stats.js", "stats.js"), ("/static/style.css", "style.css")] {
                let got = try await api.send(.get, path)
                #expect(got.status == 200, "\(path)")
                #expect(got.body == (try Data(contentsOf: page.appendingPathComponent(file))), "\(path) is not \(file)")
            }
            for path in ["/", "/stats", "/static/app.js", "/static/style.css", "/healthz", "/api/model", "/api/stats",
                         "/reports/train", "/reports/train/charts/loss.png"] {
                let get = try await api.send(.get, path)
                let head = try await api.send(.head, path)
                #expect(head.status == 200, "HEAD \(path): \(head.status)")
                #expect(head.body.isEmpty, "HEAD \(path) has a body")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(path)")
                #expect(head.headers[.contentSecurityPolicy] == get.headers[.contentSecurityPolicy], "HEAD \(path)")
                #expect(head.headers[.contentLength] == String(get.body.count), "HEAD \(path)")
            }
            #expect(try await api.send(.head, "/static/secret.txt").status == 404)
            #expect(try await api.send(.head, "/api/predict").status != 200)
        }
        #expect(fixture.lines.withLock { $0 }.contains { $0.hasPrefix("HEAD /static/app.js 200 ") })
    }
}

enum FeedbackStoreHash {
    static func of(_ data: Data) -> String { Runtime.FeedbackStore.contentHash(data) }
}
