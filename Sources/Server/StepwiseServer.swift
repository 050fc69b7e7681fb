import Foundation
import Hummingbird
import Logging
import NIOPosix
import Runtime
import ServiceLifecycle
import Synchronization

/// `stepwise serve`: builds the application from a configuration and runs it until SIGINT or SIGTERM, which
/// finish the requests in flight and return normally.
public enum StepwiseServer {
    /// Runs the server. `output` receives every log line (one per request, model reloads, errors, and the
    /// `listening on http://HOST:PORT` line once the socket is bound); the caller adds timestamps.
    public static func run(_ configuration: ServerConfiguration, output: @escaping @Sendable (String) -> Void) async throws {
        if let url = configuration.database, url.hasPrefix("postgres") {
            try await checkPostgres(url)
        }
        let app = try await makeApplication(configuration, output: output) { port in
            output("listening on http://\(configuration.host):\(port)")
        }
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError.startup("cannot serve on \(configuration.host):\(configuration.port): \(error)", exitCode: 1)
        }
    }

    /// The application, for `run` and for tests (which call it with `.router` or `.live` test clients).
    package static func makeApplication(
        _ configuration: ServerConfiguration, output: @escaping @Sendable (String) -> Void,
        onReady: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let logger = Logger(label: "stepwise.serve") { _ in LineLogHandler(output: output) }
        let models = ModelProvider(url: configuration.model, logger: logger)
        do {
            try models.loadInitial()
        } catch {
            throw ServerError.startup("cannot serve \(configuration.model.path): \(error)", exitCode: 4)
        }
        let (store, services, migrateLater) = try await openLog(configuration, logger: logger)
        // Concurrent requests' rows share one insert and one commit.
        let log = GroupCommitLog(store)
        let pool = NIOThreadPool.singleton
        let uploads = UploadStore(folder: configuration.serveFolder.appendingPathComponent("uploads"))
        let app = AppServices(
            configuration: configuration, models: models, log: log,
            classifier: Classifier(models: models, maxPixels: configuration.maxPixels, pool: pool, uploads: uploads),
            uploads: uploads,
            feedback: FeedbackStore(folder: configuration.feedbackFolder), page: PageAssets.load(), logger: logger,
            pool: pool)

        // HEAD on every GET route: the GET's status and headers (Content-Length included), no body.
        let router = AppRouter(options: .autoGenerateHeadEndpoints)
        router.middlewares.add(RequestLogMiddleware(output: output))
        router.middlewares.add(SecurityHeadersMiddleware())
        router.middlewares.add(JSONErrorMiddleware(logger: logger))
        Routes.register(on: router, services: app)

        var application = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        if migrateLater {
            // PostgreSQL's client runs as a service: the schema is brought up to date once it is running.
            application.beforeServerStarts {
                do {
                    _ = try await log.migrate()
                } catch {
                    throw ServerError.startup("cannot use the prediction log \(configuration.database ?? ""): \(reason(error))", exitCode: 1)
                }
            }
        }
        return application
    }

    /// Connects to PostgreSQL and brings the schema up to date before the server starts, so that an unreachable
    /// database or a refused login stops startup with a message (the application's own client, a service, would
    /// otherwise keep retrying).
    static func checkPostgres(_ url: String) async throws {
        let probe = try PostgresPredictionLog(url: url, logger: Logger(label: "stepwise.serve.probe") { _ in SwiftLogNoOpLogHandler() })
        // Unstructured: a pool that cannot connect keeps retrying and may not end at once when cancelled; the
        // answer must not wait for it.
        let runner = Task { await probe.client.run() }
        defer { runner.cancel() }
        do {
            _ = try await firstOf(seconds: 15, timeout: "no connection within 15 s (is the server running, do the user and the database exist?)") { try await probe.migrate() }
        } catch {
            throw ServerError.startup("cannot use the prediction log \(url): \(Self.reason(error))", exitCode: 1)
        }
    }

    /// The result of `body`, or an error after `seconds`, whichever comes first (the loser is left to finish).
    static func firstOf<T: Sendable>(seconds: Double, timeout: String,
                                     _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let done = Mutex(false)
            let finish: @Sendable (Result<T, any Error>) -> Void = { result in
                if done.withLock({ old in defer { old = true }; return !old }) { continuation.resume(with: result) }
            }
            Task { do { finish(.success(try await body())) } catch { finish(.failure(error)) } }
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                finish(.failure(ServerError.startup(timeout, exitCode: 1)))
            }
        }
    }

    /// PostgresNIO's errors hide the server's message behind a generic description.
    static func reason(_ error: any Error) -> String {
        let text = String(reflecting: error)
        if let range = text.range(of: "message: ") {
            return String(text[range.upperBound...].prefix { $0 != "," && $0 != "]" })
        }
        if text.contains("connectionCreationCircuitBreakerTripped") { return "cannot connect (is the server running?)" }
        return text
    }

    /// SQLite (opened and migrated now) or PostgreSQL (a client service, migrated when it runs).
    static func openLog(_ configuration: ServerConfiguration, logger: Logger) async throws
        -> (any PredictionLog, [any Service], migrateLater: Bool) {
        if let url = configuration.database, url.hasPrefix("postgres") {
            let log = try PostgresPredictionLog(url: url, logger: logger)
            return (log, [log.client], true)
        }
        var path = configuration.serveFolder.appendingPathComponent("predictions.sqlite").path
        if let url = configuration.database {
            guard url.hasPrefix("sqlite:") else {
                throw ServerError.startup("--database \(url): give postgres://user@host/db or sqlite:PATH", exitCode: 2)
            }
            path = String(url.dropFirst("sqlite:".count))
        }
        do {
            let log = try await SQLitePredictionLog.open(path: path)
            _ = try await log.migrate()
            return (log, [], false)
        } catch {
            throw ServerError.startup("cannot open the prediction log \(path): \(error)", exitCode: 1)
        }
    }
}
