/// Every endpoint the server answers, one line each. The API is described in docs/API.md and docs/openapi.yaml.
enum Routes {
    static var all: [any Endpoint.Type] { [
        HealthEndpoint.self,        // GET /healthz
        ModelEndpoint.self,         // GET /api/model
        PredictEndpoint.self,       // POST /api/predict
        FeedbackEndpoint.self,      // POST /api/feedback
        StatsEndpoint.self,         // GET /api/stats
        PageEndpoint.self,          // GET /, /stats, /static/<name>
        ReportsEndpoint.self,       // GET /reports/<workflow>, /reports/<workflow>/charts/<file>
    ] }

    static func register(on router: AppRouter, services: AppServices) {
        for endpoint in all { endpoint.register(on: router, services: services) }
    }
}
