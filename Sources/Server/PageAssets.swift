import NIOCore

/// The page's static files (Sources/Server/Page/), compiled into the binary itself (the target's `embedInCode`
/// resources become `PackageResources` byte arrays), so a binary copied alone still serves its page. Only the
/// names listed here are ever served.
struct PageAssets: Sendable {
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String
    }

    let files: [String: Asset]

    static func load() -> PageAssets {
        let html = "text/html; charset=utf-8", script = "text/javascript; charset=utf-8"
        let listed: [(String, [UInt8], String)] = [
            ("index.html", PackageResources.index_html, html),
            ("stats.html", PackageResources.stats_html, html),
            ("app.js", PackageResources.app_js, script),
            ("stats.js", PackageResources.stats_js, script),
            ("style.css", PackageResources.style_css, "text/css; charset=utf-8"),
        ]
        var files: [String: Asset] = [:]
        for (name, bytes, type) in listed { files[name] = Asset(bytes: ByteBuffer(bytes: bytes), contentType: type) }
        return PageAssets(files: files)
    }
}
