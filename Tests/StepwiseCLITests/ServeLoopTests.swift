import Foundation
import Imaging
import StepwiseTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The loop `stepwise serve` exists for, through the binary on synthetic digits (no MNIST needed): train, serve,
/// predict a digit, mark it wrong, `stepwise run retrain` while the server runs, and the server answers with the
/// promoted model, which learnt the correction, while /api/stats shows it; with the CNN and with the ViT.
@Suite("serve, correct, retrain: the loop through the binary (synthetic digits)")
struct ServeLoopTests {
    typealias Server = ServeCommandTests.Server

    static func json(_ body: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "not a JSON object: \(body)")
    }

    static func post(_ port: Int, _ path: String, _ body: Data, type: String) throws -> (status: Int, json: [String: Any]) {
        let answer = try ServeCommandTests.http(port: port, """
            POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close
            """, body: body)
        return (answer.status, try json(answer.body))
    }

    static func get(_ port: Int, _ path: String) throws -> [String: Any] {
        let answer = try ServeCommandTests.http(port: port, "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close")
        #expect(answer.status == 200, "GET \(path): \(answer.status) \(answer.body)")
        return try json(answer.body)
    }

    /// The model the loop runs with: the CNN of `run train`, served by default, or the ViT of `run vit`, served with
    /// `--model` and retrained with the retrain workflow pointed at its file.
    struct Model: Sendable, CustomTestStringConvertible {
        var workflow: String
        var train: [String]
        var file: String?
        var testDescription: String { workflow }

        var serve: [String] { file.map { ["--model", $0] } ?? [] }
        var retrain: [String] { file.map { ["--set", "finetune.model=\($0)", "--set", "save.path=\($0)"] } ?? [] }
    }

    static let models = [
        Model(workflow: "train", train: WorkspaceTruthTests.tinyTrain, file: nil),
        Model(workflow: "vit", train: ViTWorkflowTests.tinyRun, file: "Outputs/models/vit.safetensors"),
    ]

    @Test(arguments: models)
    func drawCorrectRetrainAndTheServerLearnt(_ model: Model) throws {
        let data = try SyntheticMNIST(train: 600, test: 200, learnable: true)
        let project = try ScratchProject()
        let trained = try project.stepwise(["run", model.workflow, "--data", data.directory.path] + model.train)
        try #require(trained.status == 0, "\(trained.stderr)")

        let server = try Server(project: project.root, arguments: model.serve)
        // A class-3 digit, as the page sends a drawing: 28x28 white on black.
        let digit = try PNG.encode(gray: SyntheticMNIST.digit(3), width: 28, height: 28)
        let first = try Self.post(server.port, "/api/predict", digit, type: "image/png")
        try #require(first.status == 200, "\(first.json)")
        let id = try #require(first.json["id"] as? String)
        let predicted = try #require(first.json["label"] as? Int)
        let servedBefore = try #require((first.json["model"] as? [String: Any])?["sha256"] as? String)

        // "Wrong: it is a N", N other than what the model said.
        let truth = (predicted + 1) % 10
        let body = try JSONSerialization.data(withJSONObject: ["id": id, "label": truth])
        let stored = try Self.post(server.port, "/api/feedback", body, type: "application/json")
        #expect(stored.status == 200, "\(stored.json)")
        #expect(stored.json["result"] as? String == "stored")
        let entries = try FileManager.default.contentsOfDirectory(atPath: project.url("incorrect_predictions").path)
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }
        #expect(entries.count == 1, "\(entries)")

        let before = try Self.get(server.port, "/api/stats")
        #expect(before["corrected"] as? Int == 1)
        #expect((before["confusion"] as? [[Int]])?[truth][predicted] == 1)

        // The nightly retrain, while the server runs: it learns from the correction and promotes the model.
        let retrain = try project.stepwise(["run", "retrain", "--data", data.directory.path] + WorkspaceTruthTests.tinyRetrain
                                           + model.retrain)
        #expect(retrain.status == 0, "\(retrain.stderr)")
        #expect(retrain.stderr.contains("feedback: 1 images"), "\(retrain.stderr)")
        #expect(retrain.stderr.contains("promotion gate: promote"), "\(retrain.stderr)")
        let metrics = try Self.json(try project.read("Outputs/retrain/metrics.json"))
        let learnt = try #require((metrics["feedback"] as? [[String: Any]])?.first)
        #expect(learnt["true_label"] as? Int == truth)
        #expect(learnt["outcome"] as? String == "fixed", "\(learnt)")

        // The running server answers with the promoted model, without a restart, and now says what the person said.
        let again = try Self.post(server.port, "/api/predict", digit, type: "image/png")
        #expect(again.status == 200, "\(again.json)")
        let servedAfter = try #require((again.json["model"] as? [String: Any])?["sha256"] as? String)
        #expect(servedAfter != servedBefore, "the server still answers with the model before the retrain")
        #expect(again.json["label"] as? Int == truth, "\(again.json)")

        // /stats: the correction, the model served, the one before it, and the retrain's gate decision.
        let stats = try Self.get(server.port, "/api/stats")
        #expect(stats["predictions"] as? Int == 2)
        #expect(stats["corrected"] as? Int == 1)
        #expect((stats["confusion"] as? [[Int]])?[truth][predicted] == 1)
        #expect((stats["model"] as? [String: Any])?["sha256"] as? String == servedAfter)
        #expect(((stats["history"] as? [[String: Any]])?.count ?? 0) >= 1)
        let gate = try #require(stats["retrain"] as? [String: Any])
        #expect(gate["promoted"] as? Bool == true)
        #expect(gate["feedback_count"] as? Int == 1)
        let (status, log) = server.stop(SIGTERM)
        #expect(status == 0, "\(log)")
    }
}
