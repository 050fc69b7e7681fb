import Foundation
import Synchronization
import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// Shows what a run is doing: a live line redrawn in place on a terminal, plain timestamped lines (at most one
/// progress line per interval) when stderr is a file or pipe (cron), only errors with `--quiet`. Every line the
/// plain style would print is also appended to the run's log.txt, whatever the style.
///
/// Thread-safe: the training loop calls `progress` from its own thread while the runner reports steps.
public final class ProgressReporter: Sendable {
    public enum Style: Sendable, Equatable {
        /// A single line rewritten with a carriage return, cut to the terminal's width.
        case live(width: Int)
        /// `[2026-11-22T01:02:03Z] train: …` lines; progress lines at most once every `interval` seconds.
        case plain(interval: Double)
        /// Errors only.
        case quiet

        /// The style for this process: quiet if asked, live if stderr is a terminal, plain otherwise.
        public static func detect(quiet: Bool, interval: Double = 5) -> Style {
            if quiet { return .quiet }
            guard isatty(STDERR_FILENO) == 1 else { return .plain(interval: interval) }
            return .live(width: terminalWidth())
        }

        static func terminalWidth() -> Int {
            var size = winsize()
            if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
            return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 80
        }
    }

    private struct State {
        var lastProgressLogged: Date?
        var lastDrawn: Date?
        var liveLineShown = false
        var logDescriptor: Int32
    }

    public let style: Style
    /// Seconds between progress lines in the log (and on screen in the plain style).
    public let interval: Double
    private let output: @Sendable (String) -> Void
    private let clock: @Sendable () -> Date
    private let state: Mutex<State>

    /// `log`, if given, is opened for appending (created if missing). `output` receives exactly the bytes to
    /// show (standard error by default); `clock` is the time source for timestamps and throttling.
    public init(style: Style, log: URL? = nil, logInterval: Double = 5,
                output: @escaping @Sendable (String) -> Void = ProgressReporter.standardError,
                clock: @escaping @Sendable () -> Date = Date.init) throws {
        self.style = style
        if case .plain(let seconds) = style { self.interval = seconds } else { self.interval = logInterval }
        self.output = output
        self.clock = clock
        var fd: Int32 = -1
        if let log {
            fd = open(log.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw FileError(path: log.path, reason: "cannot open the run log: \(String(cString: strerror(errno)))")
            }
        }
        self.state = Mutex(State(logDescriptor: fd))
    }

    deinit {
        state.withLock { state in
            if state.logDescriptor >= 0 { close(state.logDescriptor) }
            state.logDescriptor = -1
        }
    }

    /// Writes to the process's standard error.
    public static let standardError: @Sendable (String) -> Void = { text in
        var text = text
        text.withUTF8 { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(STDERR_FILENO, buffer.baseAddress! + done, buffer.count - done)
                if n <= 0 { return }
                done += n
            }
        }
    }

    /// Frequent, replaceable progress (`epoch 3/12 batch 400/860 …`): live line, or a throttled plain line.
    public func progress(step: String, _ message: String) {
        let now = clock()
        let line = Self.line(now, step, message)
        state.withLock { state in
            let due = state.lastProgressLogged.map { now.timeIntervalSince($0) >= interval } ?? true
            if due {
                state.lastProgressLogged = now
                append(line, &state)
            }
            switch style {
            case .live(let width):
                // Redrawing more than ten times a second only costs the training loop time.
                if let drawn = state.lastDrawn, now.timeIntervalSince(drawn) < 0.1 { return }
                state.lastDrawn = now
                state.liveLineShown = true
                output("\r" + Self.fit("\(step): \(message)", width: width) + "\u{1B}[K")
            case .plain:
                if due { output(line + "\n") }
            case .quiet:
                break
            }
        }
    }

    /// A line that always shows (unless quiet): a step starting, coming from the cache, finishing.
    public func info(step: String?, _ message: String) {
        emit(step: step, message, show: style != .quiet)
    }

    /// A problem the run recovered from, such as a corrupt cache entry.
    public func warning(_ message: String) {
        emit(step: nil, message, show: style != .quiet)
    }

    /// Always shown, quiet or not.
    public func error(_ message: String) {
        emit(step: nil, message, show: true)
    }

    /// Ends a live line so the shell prompt starts on a fresh line.
    public func finish() {
        state.withLock { state in
            if state.liveLineShown {
                output("\r\u{1B}[K")
                state.liveLineShown = false
            }
        }
    }

    private func emit(step: String?, _ message: String, show: Bool) {
        let now = clock()
        let line = step.map { Self.line(now, $0, message) } ?? "[\(Timestamp.string(now))] \(message)"
        state.withLock { state in
            append(line, &state)
            guard show else { return }
            switch style {
            case .live:
                let text = step.map { "\($0): \(message)" } ?? message
                output((state.liveLineShown ? "\r\u{1B}[K" : "") + text + "\n")
                state.liveLineShown = false
            case .plain, .quiet:
                output(line + "\n")
            }
        }
    }

    private func append(_ line: String, _ state: inout State) {
        guard state.logDescriptor >= 0 else { return }
        var text = line + "\n"
        text.withUTF8 { buffer in _ = write(state.logDescriptor, buffer.baseAddress!, buffer.count) }
    }

    static func line(_ date: Date, _ step: String, _ message: String) -> String {
        "[\(Timestamp.string(date))] \(step): \(message)"
    }

    /// Cuts `text` to fit `width` columns, leaving the last column free so the terminal never wraps.
    static func fit(_ text: String, width: Int) -> String {
        let room = max(width - 1, 1)
        return text.count <= room ? text : String(text.prefix(room))
    }
}
