import Foundation
import Tensor

/// A copy of a feedback folder taken when a run is planned. The run keys augment-with-feedback by the copy's
/// content and the step reads the copy, so it trains on exactly the set its key names, whatever people add to or
/// delete from the folder meanwhile. Kept in `Outputs/<workflow>/.snapshot-<pid>/<step>/` under the workflow's
/// lock, removed when the run ends; one left by a killed run is removed by the next run.
enum FeedbackSnapshot {
    /// The folder's files that count as feedback, relative to it, sorted: regular files, not hidden, not the
    /// README.
    static func files(in folder: URL) -> [String] {
        let names = (try? FileManager.default.subpathsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") && !$0.contains("/.") && $0 != "README.md" }
            .filter { (try? folder.appendingPathComponent($0).resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }

    /// Copies `folder`'s feedback files into `destination` (created), keeping their relative paths.
    static func take(of folder: URL, into destination: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: destination, withIntermediateDirectories: true)
        for name in files(in: folder) {
            let target = destination.appendingPathComponent(name)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            // A file deleted between listing and reading is simply not part of the snapshot.
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { continue }
            try data.write(to: target)
        }
    }

    /// The snapshot folder of a run of the workflow whose outputs are `workflowOutputs`.
    static func root(in workflowOutputs: URL) -> URL {
        workflowOutputs.appendingPathComponent(".snapshot-\(getpid())", isDirectory: true)
    }

    /// Removes snapshots left by runs that were killed. Call with the workflow's lock held.
    static func removeLeftovers(in workflowOutputs: URL) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: workflowOutputs.path)) ?? [] where name.hasPrefix(".snapshot-") {
            try? fm.removeItem(at: workflowOutputs.appendingPathComponent(name))
        }
    }
}
