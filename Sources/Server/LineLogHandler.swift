import Logging

/// Sends the server's log messages (notice and above: model reloads, errors) to the same output as the request
/// lines, as `level: message`.
struct LineLogHandler: LogHandler {
    let output: @Sendable (String) -> Void
    var logLevel: Logger.Level = .notice
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        output("\(event.level): \(event.message)")
    }
}
