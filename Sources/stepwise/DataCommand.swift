import ArgumentParser
import Datasets
import Foundation

/// `stepwise data [check]` and `stepwise data fetch`: where the MNIST files are looked for, whether they are
/// complete, and downloading them. Errors are `DataError`s, which the root command maps to exit code 4.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Check or download the MNIST data.",
        subcommands: [Check.self, Fetch.self],
        defaultSubcommand: Check.self
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where the MNIST files are looked for and whether they are complete (exit 4 if not)."
        )

        @Option(help: "Folder with the four MNIST IDX files (default: $STEPWISE_DATA, else ./data/mnist).")
        var data: String?

        func run() throws {
            let (directory, source) = DataLocation.resolve(
                flag: data, environment: ProcessInfo.processInfo.environment,
                currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            print("MNIST data folder: \(directory.path) (from \(source))")
            for role in MNIST.FileRole.all {
                let found = MNIST.locate(role, in: directory)
                print("  \(role.description.padding(toLength: 13, withPad: " ", startingAt: 0)) \(found?.lastPathComponent ?? "missing")")
            }
            var firstProblem: DataError?
            for split in MNISTSplit.allCases {
                do {
                    let set = try MNIST.load(directory: directory, split: split)
                    print("  \(split): \(set.count) images of \(set.height)x\(set.width), labels 0-9: complete")
                } catch {
                    print("  \(split): not usable: \(error.detail)")
                    firstProblem = firstProblem ?? error
                }
            }
            if let firstProblem { throw firstProblem }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the four MNIST files, verify their SHA-256, and store them.",
            discussion: "Files already present with the right checksum are kept. Mirrors are tried in order."
        )

        @Option(help: "Destination folder (default: $STEPWISE_DATA, else ./data/mnist).")
        var to: String?

        @Option(name: .customLong("mirror"),
                help: "A URL of a folder holding the four .gz files; repeat for several. Replaces the built-in list.")
        var mirrors: [String] = []

        func validate() throws {
            for mirror in mirrors {
                guard let url = URL(string: mirror), let scheme = url.scheme?.lowercased(),
                      ["http", "https"].contains(scheme), url.host != nil else {
                    throw ValidationError("--mirror \(mirror): not an http or https URL")
                }
            }
        }

        func run() throws {
            let (directory, resolvedFrom) = DataLocation.resolve(
                flag: to, environment: ProcessInfo.processInfo.environment,
                currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            let source = to == nil ? resolvedFrom : "--to"
            var fetcher = MNISTFetcher()
            if !mirrors.isEmpty {
                fetcher.mirrors = mirrors.map { URL(string: $0.hasSuffix("/") ? $0 : $0 + "/")! }
            }
            let printer = ProgressPrinter()
            printer.emit("Fetching MNIST into \(directory.path) (from \(source))")
            _ = try fetcher.fetch(to: directory) { printer.show($0) }
            print("MNIST is complete in \(directory.path)")
        }
    }
}

/// Prints fetch events: one line per step, and download progress in 10% steps.
private final class ProgressPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private var lastTenth: [String: Int] = [:]

    func show(_ event: MNISTFetcher.Event) {
        lock.withLock {
            switch event {
            case .alreadyPresent(let file):
                emit("  \(file): already present, checksum OK")
            case .replacing(let file, let reason):
                emit("  \(file): present but wrong (\(reason)); downloading again")
            case .downloading(let file, let url):
                lastTenth[file] = -1
                emit("  \(file): downloading \(url.absoluteString)")
            case .progress(let file, let received, let expected):
                guard let expected, expected > 0 else { return }
                let tenth = received * 10 / expected
                if tenth > lastTenth[file, default: -1] {
                    lastTenth[file] = tenth
                    emit("  \(file): \(tenth * 10)% of \(expected) bytes")
                }
            case .mirrorFailed(let file, let url, let reason):
                emit("  \(file): \(url.absoluteString) failed: \(reason)")
            case .saved(let file, _, let bytes):
                emit("  \(file): \(bytes) bytes, checksum OK, saved")
            }
        }
    }

    func emit(_ line: String) {
        ExitStatusMapping.printLine(line)
    }
}
