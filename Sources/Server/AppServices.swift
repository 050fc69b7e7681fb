import Foundation
import Hummingbird
import Logging
import NIOPosix
import Runtime

/// The router every endpoint registers on.
typealias AppRouter = Router<BasicRequestContext>

/// One endpoint (or a small group under one path): its routes and handlers, in its own file, listed once in
/// `Routes.all`.
protocol Endpoint {
    static func register(on router: AppRouter, services: AppServices)
}

/// What the endpoints share; built once at startup, immutable (the model inside swaps itself).
struct AppServices: Sendable {
    let configuration: ServerConfiguration
    let models: ModelProvider
    let log: any PredictionLog
    let classifier: Classifier
    let uploads: UploadStore
    let feedback: FeedbackStore
    let page: PageAssets
    let logger: Logger
    /// Blocking work (file writes, decoding, inference) runs here, never on the event loop.
    let pool: NIOThreadPool

    /// 401 unless the request carries the token (`Authorization: Bearer T`), when one is set.
    func authorize(_ request: Request) throws {
        guard let token = configuration.token else { return }
        let given = request.headers[.authorization].flatMap { header -> String? in
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : nil
        }
        guard let given, Self.constantTimeEqual(Array(given.utf8), Array(token.utf8)) else {
            throw ServerError(.unauthorized, "feedback needs the server's token: send `Authorization: Bearer <token>`")
        }
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
