import ArgumentParser
import Foundation
import Runtime

struct SweepCommand: ParsableCommand {
    enum Executor: String, ExpressibleByArgument {
        case local, slurm, kubernetes
    }

    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a workflow over a grid of parameters, locally, as a Slurm job array, or as a Kubernetes Indexed Job.",
        discussion: """
            Each --set with comma-separated values is an axis of the grid (--set train.lr=0.001,0.003 --set \
            train.epochs=12,24 is four points). Each point is an ordinary run in Outputs/<workflow>/sweeps/<id>/points/<n>/ \
            sharing the cache; its model is saved there, not promoted. The report: Outputs/<workflow>/sweeps/<id>/report.md. \
            Exit codes: 0 every point succeeded (or, with --on slurm, both jobs were submitted); 1 a point failed (the \
            report lists it with its error; the others finished) or sbatch failed; 2 usage or step-file error in any \
            point (nothing ran); 4 data missing. --point N runs one point (what each array task runs) and exits as \
            `stepwise run` would; --report writes the report from the points' records (the gather job).
            """
    )

    @Argument(help: ArgumentHelp("A workflow name under Workflows/ or a path to a workflow folder.", valueName: "workflow"))
    var workflow: String

    @Option(name: .customLong("set"), help: ArgumentHelp("A parameter and its values, e.g. --set train.lr=0.001,0.003 (repeatable; one value: fixed for every point).", valueName: "step.key=v1,v2"))
    var values: [String] = []

    @Option(help: ArgumentHelp("Points running at once (local), or most array tasks at once (Slurm %N) and pods (Kubernetes parallelism).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Where the points run: local, slurm or kubernetes.", valueName: "executor"))
    var on: Executor = .local

    @Flag(help: "With --on slurm or kubernetes: print the scripts or manifest, submit nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("An extra #SBATCH option for both Slurm jobs (repeatable), e.g. --sbatch=--partition=cpu.", valueName: "option"))
    var sbatch: [String] = []

    @Option(help: ArgumentHelp("The container image for --on kubernetes (with stepwise on its PATH).", valueName: "image"))
    var image = "stepwise:latest"

    @Option(help: ArgumentHelp("The persistent volume claim holding the project folder, for --on kubernetes.", valueName: "name"))
    var volumeClaim = "stepwise-project"

    @Option(help: ArgumentHelp("An existing sweep's id (its folder under sweeps/), for --point and --report.", valueName: "id"))
    var id: String?

    @Option(help: ArgumentHelp("Run only this point of sweep --id (what a Slurm array task runs).", valueName: "n"))
    var point: Int?

    @Flag(help: "Write the report of sweep --id from its points' records (what the gather job runs).")
    var report = false

    @OptionGroup var settings: RunSettings

    func validate() throws {
        if let jobs, !(1...1000).contains(jobs) { throw ValidationError("--jobs must be from 1 to 1000") }
        if point != nil || report {
            guard id != nil else { throw ValidationError("--point and --report need the sweep's --id") }
            guard !(point != nil && report) else { throw ValidationError("--point and --report cannot be combined") }
            guard on == .local, !dryRun else { throw ValidationError("--point and --report run here: leave out --on and --dry-run") }
        }
        if dryRun && on == .local { throw ValidationError("--dry-run goes with --on slurm or --on kubernetes") }
        if on == .kubernetes && !dryRun {
            throw ValidationError("--on kubernetes writes a manifest only: add --dry-run and apply it with kubectl")
        }
    }

    func run() throws {
        let options = SweepOptions(workflow: workflow, settings: values, dataDirectory: settings.dataDirectory, seed: settings.seed,
                                   threads: settings.threads, dataFlag: settings.data, projectFlag: settings.project.projectPath)
        let root = settings.project.root
        let executable = LocalSweepExecutor.currentExecutable

        if let id, let point {
            ExitStatusMapping.exitLine.withLock { $0 = true }
            let sweep = try Sweep(projectRoot: root, options: options, id: id)
            let interruption = Interruption.install { ExitStatusMapping.printLine($0) }
            do {
                let record = try sweep.runPoint(point, style: .detect(quiet: false), interruption: interruption)
                ExitStatusMapping.printLine("point \(point) of sweep \(id): succeeded"
                    + (record.testAccuracy.map { String(format: ", test accuracy %.2f%%", $0 * 100) } ?? ""))
            } catch let failed as PointFailed {
                throw failed.underlying
            }
            ExitStatusMapping.printExitLine(0)
            return
        }
        if let id, report {
            let sweep = try Sweep(projectRoot: root, options: options, id: id)
            try finish(try sweep.writeReport())
            return
        }

        switch on {
        case .local:
            let sweep = try Sweep.create(projectRoot: root, options: options)
            let interruption = Interruption.install { ExitStatusMapping.printLine($0) }
            ExitStatusMapping.printLine("sweep \(sweep.id) of \(sweep.workflowName): \(sweep.grid.count) points, \(jobs ?? 1) at a time, in \(sweep.folder.path)")
            _ = try LocalSweepExecutor(executable: executable, jobs: jobs ?? 1)
                .run(sweep, interruption: interruption) { ExitStatusMapping.printLine($0) }
            let summary = try sweep.writeReport()
            if let signal = interruption.signal {
                ExitStatusMapping.printLine("report: \(summary.reportURL.path)")
                throw RunInterrupted(signal: signal)
            }
            try finish(summary)
        case .slurm:
            let sweep = dryRun ? try Sweep(projectRoot: root, options: options, id: Sweep.newID())
                : try Sweep.create(projectRoot: root, options: options)
            if dryRun { try sweep.check() }
            let slurm = SlurmSweep(sweep: sweep, executable: executable, jobs: jobs, sbatchOptions: sbatch)
            if dryRun {
                print(slurm.dryRun, terminator: "")
                return
            }
            let jobs = try slurm.submit()
            print("sweep \(sweep.id): submitted array job \(jobs.array) (\(sweep.grid.count) points) and report job \(jobs.gather)")
            print("report, when job \(jobs.gather) has run: \(sweep.reportURL.path)")
        case .kubernetes:
            let sweep = try Sweep(projectRoot: root, options: options, id: Sweep.newID())
            try sweep.check()
            print(KubernetesSweep(sweep: sweep, image: image, claim: volumeClaim, jobs: jobs).manifest, terminator: "")
        }
    }

    /// Prints the outcome; a failed point makes the exit code 1.
    private func finish(_ summary: SweepSummary) throws {
        if let best = summary.best {
            print("best point \(best.point): " + best.values.joined(separator: ", ")
                + (best.testAccuracy.map { String(format: ", test accuracy %.2f%%", $0 * 100) } ?? ""))
        }
        print("report: \(summary.reportURL.path)")
        guard summary.failed.isEmpty else {
            throw SweepError(.pointsFailed, "\(summary.failed.count) of \(summary.points) points failed: "
                + summary.failed.map { "point \($0.point): \($0.error)" }.joined(separator: "; "))
        }
    }
}
