import Dispatch
import Foundation
import NeuralNet
import Synchronization

#if canImport(Glibc)
import Glibc
import StepwiseErrors
#endif

/// SIGINT or SIGTERM during `stepwise run`, turned into a flag the run checks between steps and the training
/// loop checks between batches. The run then waits for the cache writes of the steps it finished, marks its
/// run.json `interrupted`, releases the workflow's lock and ends with `RunInterrupted` (exit 130 or 143).
///
/// A second signal ends the process at once (exit 130 or 143 all the same); the next run of the workflow finds
/// its run.json still `running` and marks it `interrupted`.
public final class Interruption: Sendable {
    /// The first signal received, 0 while none.
    private let received = Atomic<Int32>(0)
    /// The installed signal sources, kept alive for the life of the process. Written only by `install`.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    public init() {}

    /// The first signal that asked the run to stop, nil if none did.
    public var signal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    public var isRequested: Bool { signal != nil }

    /// Records `signal` as the reason to stop. Returns false if a signal had already been recorded.
    @discardableResult
    public func request(signal: Int32) -> Bool {
        received.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing).exchanged
    }

    /// Throws `RunInterrupted` once a signal has arrived.
    public func check() throws(RunInterrupted) {
        if let signal { throw RunInterrupted(signal: signal) }
    }

    /// Catches SIGINT and SIGTERM for the rest of the process: the first sets the flag and calls `notify` with a
    /// line to show; a second one calls `notify` and exits with 128 + its number.
    public static func install(notify: @escaping @Sendable (String) -> Void) -> Interruption {
        let interruption = Interruption()
        let queue = DispatchQueue(label: "stepwise.signals")
        for number in [SIGINT, SIGTERM] {
            // The default action would kill the process before anything is recorded; dispatch delivers it instead.
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [interruption] in
                let name = RunInterrupted.name(of: number)
                if interruption.request(signal: number) {
                    notify("interrupted (\(name)): stopping after the current batch or step; the finished steps stay cached"
                        + " (\(name == "SIGINT" ? "Ctrl-C" : name) again stops at once)")
                } else {
                    notify("interrupted again (\(name)): stopping now")
                    _exit(128 + number)
                }
            }
            source.resume()
            sources.append(source)
        }
        return interruption
    }
}

/// A run stopped by SIGINT or SIGTERM. The CLI exits with 128 + `signal`: 130 for SIGINT, 143 for SIGTERM.
public struct RunInterrupted: Error, Sendable, Equatable, CustomStringConvertible {
    public var signal: Int32
    /// The run's id, if it had begun its run folder.
    public var runID: String?
    /// The steps it finished (computed or read from the cache): the next run takes them from the cache.
    public var finished: [String]

    public init(signal: Int32, runID: String? = nil, finished: [String] = []) {
        self.signal = signal
        self.runID = runID
        self.finished = finished
    }

    public var exitStatus: Int32 { 128 + signal }

    public var description: String {
        let run = runID.map { "run \($0) recorded as interrupted" } ?? "the run was recorded as interrupted"
        let kept = finished.isEmpty
            ? "no step had finished"
            : "the steps it finished (\(finished.joined(separator: ", "))) are cached and the next run reuses them"
        return "interrupted by \(Self.name(of: signal)): \(run); \(kept)"
    }

    /// Where the run was when `signal` stopped it, from the error that unwound it: for run.json and the log.
    static func explain(signal: Int32, error: any Error) -> String {
        let by = "interrupted by \(name(of: signal))"
        switch error {
        case is RunInterrupted:
            return "\(by) between steps"
        case let step as StepRunError where step.underlying is TrainingStopped:
            return "\(by) in step \(step.step) (\(step.underlying))"
        default:
            return "\(by); then: \(error)"
        }
    }

    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}

extension RunInterrupted: ExitCoded {
    public var exitCode: Int32 { ExitCode.interrupted(by: signal) }
}
