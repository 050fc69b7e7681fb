import ArgumentParser
import Foundation
import Runtime
import Server

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the page and the JSON API: draw or upload a digit, see the prediction, correct it.",
        discussion: """
            Binds 127.0.0.1 unless --host says otherwise. Every prediction is logged (SQLite at \
            Outputs/serve/predictions.sqlite, or PostgreSQL with --database postgres://user@host/db); a wrong one, \
            once corrected, is stored in incorrect_predictions/ for `stepwise run retrain`. A model promoted while \
            serving is picked up without a restart. With --token (or STEPWISE_TOKEN), feedback needs \
            `Authorization: Bearer <token>`. One log line per request on standard error; SIGINT or SIGTERM finish \
            the requests in flight and exit 0. The API: docs/API.md.
            """
    )

    @Option(help: ArgumentHelp("The interface to listen on.", valueName: "address"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("The port (0: any free port; the `listening on` line says which).", valueName: "n"))
    var port = 8080

    @Option(help: ArgumentHelp("Model file (default: Outputs/models/cnn.safetensors), reloaded when it changes.", valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp("Prediction log: postgres://user[:password]@host[:port]/db, or sqlite:PATH (default: Outputs/serve/predictions.sqlite).", valueName: "url"))
    var database: String?

    @Option(help: ArgumentHelp("Feedback needs this token (default: STEPWISE_TOKEN).", valueName: "token"))
    var token: String?

    @Option(name: .customLong("max-body"), help: ArgumentHelp("Largest request body in bytes; larger ones get 413.", valueName: "bytes"))
    var maxBody = 10 * 1024 * 1024

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535, got \(port)") }
        guard maxBody > 0 else { throw ValidationError("--max-body must be positive, got \(maxBody)") }
    }

    func run() async throws {
        let configuration = ServerConfiguration(
            host: host, port: port, root: project.root, model: model.map { URL(fileURLWithPath: $0) },
            database: database, token: token ?? ProcessInfo.processInfo.environment["STEPWISE_TOKEN"], maxBody: maxBody)
        do {
            // Request lines are always timestamped, as a run's log lines are in a log file.
            try await StepwiseServer.run(configuration) { line in
                FileHandle.standardError.write(Data("\(ExitStatusMapping.stamp()) \(line)\n".utf8))
            }
        } catch let error as ServerError {
            throw CLIError(status: error.exitCode, message: error.message)
        }
    }
}
