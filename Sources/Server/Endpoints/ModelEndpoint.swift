import Hummingbird

/// `GET /api/model`: the model being served (hash, date, test accuracy) and its file; 503 before one exists.
enum ModelEndpoint: Endpoint {
    struct Answer: Encodable {
        var model: ModelInfo
        var path: String

        func encode(to encoder: any Encoder) throws {
            try model.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(path, forKey: .path)
        }

        enum Keys: String, CodingKey { case path }
    }

    static func register(on router: AppRouter, services: AppServices) {
        router.get("/api/model") { _, _ in
            guard let served = services.models.current() else {
                throw ServerError(.serviceUnavailable, "no model at \(services.models.url.path): train one with `stepwise run train`")
            }
            return JSONBody.response(Answer(model: served.info, path: services.models.url.path))
        }
    }
}
