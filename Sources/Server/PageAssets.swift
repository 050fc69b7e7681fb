import Foundation

/// The page's static files, compiled into the binary as the Server target's resources (Sources/Server/Page/)
/// and read once at startup. Only the names listed here are ever served.
struct PageAssets: Sendable {
    static let allowed: [String: String] = [
        "index.html": "text/html; charset=utf-8",
        "stats.html": "text/html; charset=utf-8",
        "app.js": "text/javascript; charset=utf-8",
        "stats.js": "text/javascript; charset=utf-8",
        "style.css": "text/css; charset=utf-8",
    ]

    struct Asset: Sendable {
        var bytes: Data
        var contentType: String
    }

    let files: [String: Asset]

    /// The files found in the bundle; a listed file that is missing is answered 404.
    static func load() -> PageAssets {
        let folder = Bundle.module.resourceURL?.appendingPathComponent("Page")
        var files: [String: Asset] = [:]
        for (name, type) in allowed {
            if let url = folder?.appendingPathComponent(name), let bytes = try? Data(contentsOf: url) {
                files[name] = Asset(bytes: bytes, contentType: type)
            }
        }
        return PageAssets(files: files)
    }
}
