import Hummingbird

/// `GET /healthz`: the server is up; which model it serves (null until one exists) and where it logs.
enum HealthEndpoint: Endpoint {
    struct Answer: Encodable {
        var status = "ok"
        @Nullable var model: String?
        var log: String
    }

    static func register(on router: AppRouter, services: AppServices) {
        router.get("/healthz") { _, _ in
            JSONBody.response(Answer(model: services.models.current()?.info.sha256, log: services.log.kind))
        }
    }
}
