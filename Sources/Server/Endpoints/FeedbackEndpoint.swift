import Foundation
import Hummingbird
import Runtime

/// `POST /api/feedback`: the person's verdict on a prediction.
/// - `{"id": ID, "label": N}`: the prediction was wrong, the digit is N: the upload is stored in
///   incorrect_predictions/ exactly as `stepwise feedback` stores it (same store, same dedupe, atomic) and the
///   verdict logged. N equal to the predicted label counts as a confirmation.
/// - `{"id": ID, "verdict": "right"}`: the prediction was right; logged, nothing stored.
/// - an image body with `?label=N`: predicted now, logged with its verdict, stored when wrong.
/// With a token set, every form needs `Authorization: Bearer <token>`.
enum FeedbackEndpoint: Endpoint {
    struct Answer: Encodable {
        var id: String
        var verdict: Verdict
        var label: Int
        var predicted: Int
        /// `stored`, `already_stored`, `relabelled`, or `not_stored` (a confirmation).
        var result: String
        /// The entry's folder under the project, e.g. `incorrect_predictions/3f2a…`.
        @Nullable var entry: String?
        var message: String
        var model: String
    }

    static func register(on router: AppRouter, services: AppServices) {
        router.post("/api/feedback") { request, _ in
            try services.authorize(request)
            if let label = request.uri.queryParameters.get("label") {
                return try await byImage(request, label: try parseLabel(label), services: services)
            }
            let body = try await RequestBody.collect(request, limit: 64 * 1024)
            let (id, label, confirm) = try parseJSON(body)
            guard let entry = try await services.log.entry(id: id) else {
                throw ServerError.notFound("no prediction with id \(id)")
            }
            if confirm || label == entry.label {
                // A correction already stored stays training data: a later "right" would leave the log and the
                // feedback folder disagreeing, so it is refused.
                if entry.verdict == .wrong, let corrected = entry.trueLabel {
                    throw ServerError(.conflict, "prediction \(id) was already corrected as a \(corrected) and is stored in "
                        + "incorrect_predictions/; send its label again to change it")
                }
                return try await record(entry, verdict: .right, label: entry.label, services: services)
            }
            return try await record(entry, verdict: .wrong, label: label!, services: services)
        }
    }

    static func parseLabel(_ text: String) throws -> Int {
        guard let n = Int(text), (0...9).contains(n) else {
            throw ServerError.unprocessable("label must be a digit from 0 to 9, got \(text)")
        }
        return n
    }

    /// The JSON form of a request; `label` is read loosely so that a wrong type gets 422 with what was sent.
    struct Body: Decodable {
        var id: String?
        var label: Loose?
        var verdict: String?

        enum Loose: Decodable, CustomStringConvertible {
            case integer(Int)
            case other(String)

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let n = try? container.decode(Int.self) { self = .integer(n) }
                else if let x = try? container.decode(Double.self) { self = .other(String(x)) }
                else if let b = try? container.decode(Bool.self) { self = .other(String(b)) }
                else if let s = try? container.decode(String.self) { self = .other("\"\(s)\"") }
                else { self = .other("null") }
            }

            var description: String {
                switch self {
                case .integer(let n): String(n)
                case .other(let text): text
                }
            }
        }
    }

    /// `{"id": "...", "label": N}` or `{"id": "...", "verdict": "right"}`.
    static func parseJSON(_ data: Data) throws -> (id: String, label: Int?, confirm: Bool) {
        guard let body = try? JSONDecoder().decode(Body.self, from: data) else {
            throw ServerError.badRequest(#"the body must be a JSON object: {"id": "...", "label": N} or {"id": "...", "verdict": "right"}"#)
        }
        guard let id = body.id, !id.isEmpty else {
            throw ServerError.badRequest(#"missing "id": the id /api/predict answered"#)
        }
        if let verdict = body.verdict {
            guard verdict == "right" else {
                throw ServerError.unprocessable(#""verdict" must be "right" (for a wrong answer send "label": N)"#)
            }
            return (id, nil, true)
        }
        guard let label = body.label else {
            throw ServerError.badRequest(#"missing "label" (the digit it really is) or "verdict": "right""#)
        }
        guard case .integer(let n) = label, (0...9).contains(n) else {
            throw ServerError.unprocessable("label must be a digit from 0 to 9, got \(label)")
        }
        return (id, n, false)
    }

    /// Logs the verdict; for a wrong one, stores the kept upload in incorrect_predictions/ first.
    static func record(_ entry: LoggedPrediction, verdict: Verdict, label: Int, services: AppServices) async throws -> Response {
        var answer = Answer(id: entry.id, verdict: verdict, label: label, predicted: entry.label, result: "not_stored",
                            entry: nil, message: "recorded: the model was right, it is a \(label)", model: entry.modelSHA256)
        if verdict == .wrong {
            guard let original = services.uploads.read(sha256: entry.imageSHA256) else {
                throw ServerError.notFound("the image of prediction \(entry.id) is no longer kept")
            }
            let store = services.feedback
            let name = "\(entry.imageSHA256.prefix(16)).png"
            let added = try await services.pool.runIfActive {
                let prepared = try Classifier.prepare(original, name: name)
                return try store.add(original: original, originalName: name, digit: prepared.digit, trueLabel: label,
                                     predictedLabel: entry.label, confidence: entry.confidence,
                                     modelSHA256: entry.modelSHA256)
            }
            let folder: URL
            switch added {
            case .stored(let url):
                folder = url
                answer.result = "stored"
                answer.message = "stored as a \(label) (the model said \(entry.label)) in incorrect_predictions/"
            case .alreadyStored(let url):
                folder = url
                answer.result = "already_stored"
                answer.message = "this image is already stored as a \(label)"
            case .relabelled(let url, let old):
                folder = url
                answer.result = "relabelled"
                answer.message = "this image was stored as a \(old); relabelled as a \(label)"
            }
            answer.entry = "incorrect_predictions/" + folder.lastPathComponent
        }
        guard try await services.log.setVerdict(id: entry.id, verdict: verdict, trueLabel: label, at: Date()) else {
            throw ServerError.notFound("no prediction with id \(entry.id)")
        }
        return JSONBody.response(answer)
    }

    /// An image body with `?label=N`: predict it now (logged), then record the verdict as for an id.
    static func byImage(_ request: Request, label: Int, services: AppServices) async throws -> Response {
        let upload = try await ImageUpload.read(request, limit: services.configuration.maxBody)
        let (entry, _) = try await PredictEndpoint.predict(upload, services: services)
        return try await record(entry, verdict: entry.label == label ? .right : .wrong, label: label, services: services)
    }
}
