import Foundation
import Hummingbird
import Runtime

/// `POST /api/predict`: an image (PNG body, or multipart `file`) -> the `stepwise predict --json` object plus
/// `id` (for feedback), `model` (which model answered) and `digit` (the 28x28 the model saw, base64 PNG).
/// The upload is kept under Outputs/serve/uploads/<sha256>.png and the prediction logged.
enum PredictEndpoint: Endpoint {
    struct Answer: Encodable {
        var prediction: Prediction
        var id: String
        var model: ModelInfo
        var digit: String

        enum Keys: String, CodingKey { case id, model, digit }

        func encode(to encoder: any Encoder) throws {
            try prediction.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(id, forKey: .id)
            try container.encode(model, forKey: .model)
            try container.encode(digit, forKey: .digit)
        }
    }

    static func register(on router: AppRouter, services: AppServices) {
        router.post("/api/predict") { request, _ in
            let upload = try await ImageUpload.read(request, limit: services.configuration.maxBody)
            let (_, answer) = try await predict(upload, services: services)
            return JSONBody.response(answer)
        }
    }

    /// Classifies, keeps the upload, logs the prediction; shared with feedback by image.
    static func predict(_ upload: ImageUpload, services: AppServices) async throws -> (LoggedPrediction, Answer) {
        let result = try await services.classifier.classify(upload)
        let p = result.prediction
        let entry = LoggedPrediction(
            id: UUID().uuidString.lowercased(), createdAt: Date(), imageSHA256: result.imageSHA256, label: p.label,
            confidence: p.confidence, probabilities: p.probabilities, modelSHA256: result.model.info.sha256,
            preprocessing: p.preprocessing, digit: result.prepared.digit)
        try await services.log.insert(entry)
        return (entry, Answer(prediction: p, id: entry.id, model: result.model.info, digit: result.digitPNG.base64EncodedString()))
    }
}
