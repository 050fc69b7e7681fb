import Foundation

/// Runs gnuplot as a child process: the script on stdin, the charts folder as working directory, so the
/// script's relative file names mean the same thing as when someone runs `gnuplot name.gp` there.
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

    /// Runs `script` in `folder`. Throws `gnuplotFailed` with gnuplot's stderr when it exits non-zero.
    func run(script: String, in folder: URL, chart: String) throws(ReportError) {
        let process = Process()
        process.executableURL = executable
        process.arguments = []
        process.currentDirectoryURL = folder
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw ReportError(kind: .gnuplotMissing, subject: chart,
                              detail: "cannot start \(executable.path): \(error.localizedDescription)")
        }
        // Scripts are a few KiB, well under a pipe's buffer, so writing all of stdin before reading stderr
        // cannot deadlock.
        let written = Result { try input.fileHandleForWriting.write(contentsOf: Data(script.utf8)) }
        try? input.fileHandleForWriting.close()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let message = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if case .failure(let error) = written {
            throw ReportError(kind: .gnuplotFailed, subject: chart,
                              detail: "could not send the script (\(error.localizedDescription)); stderr: \(message)")
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit
                ? "exit status \(process.terminationStatus)" : "killed by signal \(process.terminationStatus)"
            throw ReportError(kind: .gnuplotFailed, subject: chart,
                              detail: "\(how); stderr: \(message.isEmpty ? "(empty)" : message)")
        }
    }
}
