import Foundation
import Hummingbird
import Logging

/// Every error becomes `{"error": "..."}` with its status: ours carry it (`ServerError`), Hummingbird's
/// (`HTTPError`: unknown route, wrong method) keep theirs, anything else is a 500 whose detail goes to the log
/// only.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServerError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let message = error.body ?? (error.status == .notFound ? "not found: \(request.uri.path)" : error.status.reasonPhrase)
            return JSONBody.response(["error": message], status: error.status)
        } catch let error as any HTTPResponseError {
            return JSONBody.response(["error": error.status.reasonPhrase], status: error.status)
        } catch {
            logger.error("\(request.method) \(request.uri.path): \(error)")
            return JSONBody.response(["error": "internal error"], status: .internalServerError)
        }
    }
}
