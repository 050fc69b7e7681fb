import Foundation

/// What `stepwise serve` was asked for. The CLI fills it from its options; tests build it directly.
public struct ServerConfiguration: Sendable {
    /// The interface to bind: 127.0.0.1 unless told otherwise.
    public var host: String
    /// 0 picks a free port (the `listening on` line and `onReady` say which).
    public var port: Int
    /// The project folder (Workflows/, Outputs/, incorrect_predictions/).
    public var root: URL
    /// The model served; replaced atomically by `stepwise run retrain`, reloaded when it changes.
    public var model: URL
    /// nil: SQLite at Outputs/serve/predictions.sqlite; `sqlite:PATH` or `postgres://user[:pw]@host[:port]/db`.
    public var database: String?
    /// When set, `POST /api/feedback` needs `Authorization: Bearer <token>`.
    public var token: String?
    /// Largest request body read, in bytes; larger ones get 413 without being read whole.
    public var maxBody: Int
    /// Largest image, in pixels, that an upload's header may claim; larger ones are refused before decoding.
    public var maxPixels: Int

    public init(host: String = "127.0.0.1", port: Int = 8080, root: URL, model: URL? = nil, database: String? = nil,
                token: String? = nil, maxBody: Int = 10 * 1024 * 1024, maxPixels: Int = 25_000_000) {
        self.host = host
        self.port = port
        self.root = root
        self.model = model ?? root.appendingPathComponent("Outputs/models/cnn.safetensors")
        self.database = database
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.maxBody = maxBody
        self.maxPixels = maxPixels
    }

    var outputs: URL { root.appendingPathComponent("Outputs") }
    var serveFolder: URL { outputs.appendingPathComponent("serve") }
    var feedbackFolder: URL { root.appendingPathComponent("incorrect_predictions") }
}
