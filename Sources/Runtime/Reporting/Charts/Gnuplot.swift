import CGnuplot
import Foundation

/// Runs gnuplot through gnuplot-iostream (the `CGnuplot` target's C interface): the script on its input, the
/// charts folder as working directory, so the script's relative file names (its `.dat` file, its `.png`) mean
/// the same thing as when someone runs `gnuplot name.gp` there.
public struct Gnuplot: Sendable {
    public let executable: URL

    public init(executable: URL) {
        self.executable = executable
    }

    /// Finds `gnuplot` on the PATH of `environment`; nil when it is not installed.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> Gnuplot? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("gnuplot")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return Gnuplot(executable: candidate)
            }
        }
        return nil
    }

    /// Runs `script` in `folder`. Throws `gnuplotFailed` with gnuplot's stderr when it exits non-zero, and
    /// `gnuplotMissing` when it cannot be started.
    func run(script: String, in folder: URL, chart: String) throws(ReportError) {
        var message = [CChar](repeating: 0, count: 8192)
        let bytes = Array(script.utf8)
        let status = bytes.withUnsafeBufferPointer { body in
            body.withMemoryRebound(to: CChar.self) { text in
                cgnuplot_run(executable.path, folder.path, text.baseAddress, text.count, &message, message.count)
            }
        }
        let stderr = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if status == -1 {
            throw ReportError(kind: .gnuplotMissing, subject: chart, detail: stderr)
        }
        guard status == 0 else {
            let how = status > 128 ? "killed by signal \(status - 128)" : "exit status \(status)"
            throw ReportError(kind: .gnuplotFailed, subject: chart, detail: "\(how); stderr: \(stderr.isEmpty ? "(empty)" : stderr)")
        }
    }
}
