import Foundation
import Hummingbird

/// One line per request, after it is answered: `POST /api/predict 200 3.1 ms` (the output adds the timestamp).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let output: @Sendable (String) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func line(_ status: Int) {
            let elapsed = ContinuousClock.now - start
            // Tenths of a millisecond, by integer arithmetic (`String(format:)` costs more than many a request).
            let tenths = elapsed.components.seconds * 10_000 + (elapsed.components.attoseconds + 50_000_000_000_000) / 100_000_000_000_000
            output("\(request.method) \(request.uri.path) \(status) \(tenths / 10).\(tenths % 10) ms")
        }
        do {
            let response = try await next(request, context)
            line(response.status.code)
            return response
        } catch {
            line((error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }
}
