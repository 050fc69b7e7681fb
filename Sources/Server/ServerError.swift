import Foundation
import Hummingbird

/// The one error type at the server's boundary: what the client is told (`{"error": message}` with `status`),
/// and for failures before the server is up, the exit code the CLI ends with.
public struct ServerError: Error, CustomStringConvertible, HTTPResponseError {
    public let status: HTTPResponse.Status
    public let message: String
    /// The CLI's exit code when this stops `stepwise serve` from starting: 2 bad options, 4 model unusable,
    /// 1 anything else (port taken, database unreachable).
    public let exitCode: Int32

    package init(_ status: HTTPResponse.Status, _ message: String, exitCode: Int32 = 1) {
        self.status = status
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }

    /// A startup failure: no HTTP status applies, only the exit code.
    package static func startup(_ message: String, exitCode: Int32) -> ServerError {
        ServerError(.internalServerError, message, exitCode: exitCode)
    }

    package static func badRequest(_ message: String) -> ServerError { ServerError(.badRequest, message) }
    package static func unprocessable(_ message: String) -> ServerError { ServerError(.unprocessableContent, message) }
    package static func unsupported(_ message: String) -> ServerError { ServerError(.unsupportedMediaType, message) }
    package static func notFound(_ message: String) -> ServerError { ServerError(.notFound, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.response(["error": message], status: status)
    }
}
