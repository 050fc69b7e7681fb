import Foundation
import Hummingbird
import Imaging
import Tensor

/// `GET /api/stats`: the log's numbers (see `PredictionStats`), the 20 newest predictions with thumbnails, the
/// model served, the models before it (Outputs/models/history/) and the last retrain's gate decision.
enum StatsEndpoint: Endpoint {
    struct Recent: Encodable {
        var id: String
        var time: String
        var label: Int
        var confidence: Double
        @Nullable var verdict: Verdict?
        @Nullable var trueLabel: Int?
        var model: String
        /// The 28x28 the model saw, as a base64 PNG.
        var thumbnail: String

        enum CodingKeys: String, CodingKey {
            case id, time, label, confidence, verdict, trueLabel = "true_label", model, thumbnail
        }
    }

    struct HistoryModel: Encodable {
        var file: String
        @Nullable var created: String?
        @Nullable var testAccuracy: Double?
        var bytes: Int

        enum CodingKeys: String, CodingKey { case file, created, testAccuracy = "test_accuracy", bytes }
    }

    struct Retrain: Encodable {
        @Nullable var date: String?
        @Nullable var promoted: Bool?
        @Nullable var reason: String?
        @Nullable var testAccuracy: Double?
        @Nullable var testAccuracyBefore: Double?
        @Nullable var feedbackCount: Int?

        enum CodingKeys: String, CodingKey {
            case date, promoted, reason, testAccuracy = "test_accuracy", testAccuracyBefore = "test_accuracy_before",
                 feedbackCount = "feedback_count"
        }
    }

    struct Answer: Encodable {
        var stats: PredictionStats
        var recent: [Recent]
        var model: ModelInfo?
        var history: [HistoryModel]
        var retrain: Retrain?

        enum Keys: String, CodingKey { case recent, model, history, retrain }

        func encode(to encoder: any Encoder) throws {
            try stats.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(recent, forKey: .recent)
            try container.encode(model, forKey: .model)
            try container.encode(history, forKey: .history)
            try container.encode(retrain, forKey: .retrain)
        }
    }

    static func register(on router: AppRouter, services: AppServices) {
        router.get("/api/stats") { _, _ in
            let log = services.log
            let stats = PredictionStats(total: try await log.count(), answered: try await log.answered())
            let recent = try await log.recent(limit: 20).map { e in
                Recent(id: e.id, time: LogSchema.string(e.createdAt), label: e.label, confidence: e.confidence,
                       verdict: e.verdict, trueLabel: e.trueLabel, model: e.modelSHA256,
                       thumbnail: (try? PNG.encode(gray: e.digit, width: 28, height: 28).base64EncodedString()) ?? "")
            }
            let (history, retrain) = try await services.pool.runIfActive {
                (historyModels(services.models.url), lastRetrain(services.configuration.outputs))
            }
            return JSONBody.response(Answer(stats: stats, recent: recent, model: services.models.current()?.info,
                                            history: history, retrain: retrain))
        }
    }

    /// history/*.safetensors beside the served model, newest first, with the metadata each file carries.
    static func historyModels(_ model: URL) -> [HistoryModel] {
        let folder = model.deletingLastPathComponent().appendingPathComponent("history")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") && !$0.hasPrefix(".") }.sorted(by: >).map { name in
            let url = folder.appendingPathComponent(name)
            let metadata = (try? SafeTensors.read(contentsOf: url))?.metadata ?? [:]
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            return HistoryModel(file: name, created: metadata["stepwise.created"],
                                testAccuracy: metadata["stepwise.test_accuracy"].flatMap(Double.init), bytes: size)
        }
    }

    /// The gate decision in Outputs/retrain/metrics.json, when a retrain has run.
    static func lastRetrain(_ outputs: URL) -> Retrain? {
        let url = outputs.appendingPathComponent("retrain/metrics.json")
        guard let data = try? Data(contentsOf: url),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        return Retrain(date: object["date"] as? String, promoted: object["promoted"] as? Bool,
                       reason: object["gate_reason"] as? String,
                       testAccuracy: (object["test_accuracy"] as? NSNumber)?.doubleValue,
                       testAccuracyBefore: (object["test_accuracy_before"] as? NSNumber)?.doubleValue,
                       feedbackCount: (object["feedback_count"] as? NSNumber)?.intValue)
    }
}
