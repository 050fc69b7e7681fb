import Crypto
import Foundation
import Synchronization
import Tensor

/// The files a step writes outside the cache (the report, metrics and charts in Outputs/<workflow>/, the saved
/// model), by path relative to the project folder (absolute if outside it), with their bytes.
///
/// A step records each file it writes here; the runner keeps them in the step's cache entry, so that when the
/// step later comes from the cache the workspace can be put back to exactly what the plan chose. Their hashes go
/// into the run record, so the next run can tell its own outputs from changes made by others.
public final class WorkspaceFiles: Sendable {
    private let state = Mutex<(files: [String: Data], folders: Set<String>)>(([:], []))

    public init() {}

    /// Records that the step wrote `data` to `path` (as `StepContext.workspacePath` gives it).
    public func record(_ path: String, _ data: Data) {
        state.withLock { $0.files[path] = data }
    }

    /// Records that the step owns the folder at `path` whole (plot's charts/): files in it that the step did not
    /// write are removed when its results are put back.
    public func own(folder path: String) {
        state.withLock { _ = $0.folders.insert(path) }
    }

    public var files: [String: Data] { state.withLock { $0.files } }
    public var folders: [String] { state.withLock { $0.folders.sorted() } }

    /// `sha256:<hex>`, the form FileFingerprinter gives, so recorded and current hashes compare directly.
    public static func hash(_ data: Data) -> String {
        "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: In a cache entry

    /// Tensor names `@workspace/<path>` hold the bytes; `__metadata__["@workspace"]` maps path to hash. Artifact
    /// slots are identifiers, so neither name can clash with one.
    static let slot = "@workspace"
    static let foldersSlot = "@workspace.folders"

    /// Adds the recorded files and folders to a cache entry being built.
    func encode(into entry: inout SafeTensors) throws {
        let (files, folders) = state.withLock { ($0.files, $0.folders.sorted()) }
        guard !files.isEmpty else { return }
        if !folders.isEmpty {
            entry.metadata[Self.foldersSlot] = String(decoding: try JSONEncoder().encode(folders), as: UTF8.self)
        }
        try Self.encode(files, into: &entry)
    }

    private static func encode(_ files: [String: Data], into entry: inout SafeTensors) throws {
        var hashes: [String: String] = [:]
        for (path, data) in files {
            entry.entries["\(slot)/\(path)"] = TensorEntry(dtype: .u8, shape: [data.count], data: data)
            hashes[path] = hash(data)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        entry.metadata[slot] = String(decoding: try encoder.encode(hashes), as: UTF8.self)
    }

    /// What an entry's header says its step left in the workspace: files (path to hash) and owned folders.
    static func recorded(in metadata: [String: String]) -> (files: [String: String], folders: [String]) {
        guard let text = metadata[slot],
              let files = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else { return ([:], []) }
        let folders = metadata[foldersSlot].flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return (files, folders)
    }

    /// The workspace files a cache entry holds: path to (hash, bytes). Entries of steps that write nothing
    /// outside the cache hold none.
    static func decode(from entry: SafeTensors) throws -> [String: (hash: String, data: Data)] {
        guard let text = entry.metadata[slot] else { return [:] }
        guard let hashes = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
            throw StepFailure("the cache entry's list of workspace files is unreadable")
        }
        var files: [String: (hash: String, data: Data)] = [:]
        for (path, recorded) in hashes {
            guard let tensor = entry.entries["\(slot)/\(path)"] else {
                throw StepFailure("the cache entry lists \(path) but does not hold it")
            }
            let data = Data(tensor.data)
            guard hash(data) == recorded else {
                throw StepFailure("the cache entry's copy of \(path) does not match its recorded hash")
            }
            files[path] = (recorded, data)
        }
        return files
    }
}
