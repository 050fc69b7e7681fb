import Foundation
import Tensor

/// A sweep handed to Slurm: a job array with one task per point (`--array=0-<n-1>`, at most `jobs` at once when
/// given), each running `stepwise sweep … --point $SLURM_ARRAY_TASK_ID`, and a gather job that runs after the
/// whole array (`--dependency=afterany:<array>`, so failed points are reported too) and writes the report.
/// The project folder (Outputs/ and its cache) must be on a file system every node shares, at the same path.
public struct SlurmSweep: Sendable {
    public let sweep: Sweep
    public let executable: URL
    /// Most tasks running at once (`%N` on the array), nil for Slurm's choice.
    public let jobs: Int?
    /// Further `#SBATCH` options for both jobs, e.g. `--partition=cpu` or `--time=01:00:00`.
    public let sbatchOptions: [String]

    public init(sweep: Sweep, executable: URL, jobs: Int?, sbatchOptions: [String] = []) {
        self.sweep = sweep
        self.executable = executable
        self.jobs = jobs
        self.sbatchOptions = sbatchOptions
    }

    var slurmFolder: URL { sweep.folder.appendingPathComponent("slurm", isDirectory: true) }

    private func script(name: String, lines: [String], command: String) -> String {
        let head = ["#!/bin/bash", "#SBATCH --job-name=\(name)", "#SBATCH --chdir=\(sweep.projectRoot.path)"] + lines
            + sbatchOptions.map { "#SBATCH \($0)" }
        return head.joined(separator: "\n") + "\nset -euo pipefail\nexec \(command)\n"
    }

    private func command(point: String?) -> String {
        ([executable.path] + sweep.arguments(point: nil).dropLast()).map(RunOptions.shellQuoted).joined(separator: " ")
            + (point.map { " --point \($0)" } ?? " --report")
    }

    /// The array job: one task per point.
    public var arrayScript: String {
        let range = "0-\(sweep.grid.count - 1)" + (jobs.map { "%\($0)" } ?? "")
        return script(name: "stepwise-sweep-\(sweep.workflowName)", lines: [
            "#SBATCH --array=\(range)",
            "#SBATCH --cpus-per-task=\(sweep.options.threads)",
            "#SBATCH --output=\(slurmFolder.path)/point-%a.out",
        ], command: command(point: "\"$SLURM_ARRAY_TASK_ID\""))
    }

    /// The gather job; sbatch is given `--dependency=afterany:<array job id>` when it is submitted.
    public var gatherScript: String {
        script(name: "stepwise-sweep-\(sweep.workflowName)-report", lines: [
            "#SBATCH --cpus-per-task=1",
            "#SBATCH --output=\(slurmFolder.path)/report.out",
        ], command: command(point: nil))
    }

    /// What `--dry-run` prints: both scripts and the sbatch commands that would submit them.
    public var dryRun: String {
        """
        # \(slurmFolder.path)/array.sh, submitted with: sbatch --parsable array.sh
        \(arrayScript)
        # \(slurmFolder.path)/gather.sh, submitted with: sbatch --parsable --dependency=afterany:<array job id> gather.sh
        \(gatherScript)
        """
    }

    /// Writes both scripts under `sweeps/<id>/slurm/` and submits them; returns the two job ids.
    public func submit(sbatch: String = "sbatch") throws -> (array: String, gather: String) {
        let array = slurmFolder.appendingPathComponent("array.sh")
        let gather = slurmFolder.appendingPathComponent("gather.sh")
        try AtomicFile.write(Data(arrayScript.utf8), to: array)
        try AtomicFile.write(Data(gatherScript.utf8), to: gather)
        let arrayJob = try Self.sbatch(sbatch, ["--parsable", array.path])
        let gatherJob = try Self.sbatch(sbatch, ["--parsable", "--dependency=afterany:\(arrayJob)", gather.path])
        return (arrayJob, gatherJob)
    }

    /// Runs sbatch; returns the job id it prints (`12345` or `12345;cluster`).
    static func sbatch(_ sbatch: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [sbatch] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw SweepError(.scheduler, "cannot run \(sbatch): \(error)")
        }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let id = stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard process.terminationStatus == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            let why = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw SweepError(.scheduler, "sbatch \(arguments.last ?? "") failed (exit status \(process.terminationStatus))"
                + (why.isEmpty ? "" : ": \(why)") + (process.terminationStatus == 127 ? "; is Slurm installed (sbatch on PATH)?" : ""))
        }
        return id
    }
}
