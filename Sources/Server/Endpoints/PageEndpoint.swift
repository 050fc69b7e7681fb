import Hummingbird

/// The page: `GET /` (index.html), `GET /stats` (stats.html), `GET /static/<name>` for the allow-listed files
/// in `PageAssets`. Served from memory, with a short cache lifetime; HEAD on each answers its headers alone.
enum PageEndpoint: Endpoint {
    static func register(on router: AppRouter, services: AppServices) {
        router.get("/") { _, _ in try asset("index.html", services) }
        router.get("/stats") { _, _ in try asset("stats.html", services) }
        router.get("/static/:name") { _, context in
            try asset(context.parameters.get("name") ?? "", services)
        }
    }

    static func asset(_ name: String, _ services: AppServices) throws -> Response {
        guard let file = services.page.files[name] else { throw ServerError.notFound("no such file: /static/\(name)") }
        return Response(status: .ok,
                        headers: [.contentType: file.contentType, .cacheControl: "no-cache"],
                        body: .init(byteBuffer: file.bytes))
    }
}
