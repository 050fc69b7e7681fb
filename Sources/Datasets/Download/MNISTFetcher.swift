import Crypto
import Foundation
import Tensor

/// Downloads the four MNIST gzip files from public mirrors, verifies each against its canonical SHA-256, and
/// stores it atomically. Files already present with the right hash are kept as they are. Mirrors are tried in
/// order, per file; a file that no mirror serves correctly is reported, the others are still stored.
public struct MNISTFetcher: Sendable {
    /// A file to fetch: its name (appended to each mirror URL) and the SHA-256 of its bytes.
    public struct RemoteFile: Sendable, Equatable {
        public let name: String
        /// Lowercase hex.
        public let sha256: String
        /// Its size in bytes, when known: a server sending more is cut off early.
        public let size: Int?

        public init(name: String, sha256: String, size: Int? = nil) {
            self.name = name
            self.sha256 = sha256.lowercased()
            self.size = size
        }
    }

    /// What happens during a fetch, for progress output.
    public enum Event: Sendable, Equatable {
        /// The file is present and its hash is right; nothing downloaded.
        case alreadyPresent(file: String)
        /// The file is present but its hash is wrong; it will be downloaded again.
        case replacing(file: String, reason: String)
        case downloading(file: String, from: URL)
        case progress(file: String, received: Int, expected: Int?)
        /// This mirror failed for this file; the next one is tried.
        case mirrorFailed(file: String, from: URL, reason: String)
        case saved(file: String, from: URL, bytes: Int)
    }

    public static let defaultMirrors: [URL] = [
        URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!,
        URL(string: "https://storage.googleapis.com/cvdf-datasets/mnist/")!,
    ]

    /// The original files, byte for byte.
    public static let canonicalFiles: [RemoteFile] = [
        RemoteFile(name: "train-images-idx3-ubyte.gz",
                   sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", size: 9_912_422),
        RemoteFile(name: "train-labels-idx1-ubyte.gz",
                   sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", size: 28_881),
        RemoteFile(name: "t10k-images-idx3-ubyte.gz",
                   sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", size: 1_648_877),
        RemoteFile(name: "t10k-labels-idx1-ubyte.gz",
                   sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", size: 4_542),
    ]

    public var mirrors: [URL]
    public var files: [RemoteFile]
    /// Seconds without data before a request is abandoned.
    public var timeout: TimeInterval

    public init(mirrors: [URL] = defaultMirrors, files: [RemoteFile] = canonicalFiles, timeout: TimeInterval = 30) {
        self.mirrors = mirrors
        self.files = files
        self.timeout = timeout
    }

    /// Makes sure every file is in `directory` with the right hash, downloading what is missing or wrong.
    /// Returns the files' URLs; throws `DataError` (kind `.download`) naming every file no mirror served.
    public func fetch(to directory: URL,
                      events: @escaping @Sendable (Event) -> Void = { _ in }) throws(DataError) -> [URL] {
        if mirrors.isEmpty {
            throw DataError(.invalidRequest, file: directory.path, "no mirror to download from")
        }
        var failures: [String] = []
        for file in files {
            let target = directory.appendingPathComponent(file.name)
            if let existing = try? Data(contentsOf: target) {
                let hash = Self.sha256(existing)
                if hash == file.sha256 {
                    events(.alreadyPresent(file: file.name))
                    continue
                }
                events(.replacing(file: file.name, reason: "SHA-256 is \(hash), expected \(file.sha256)"))
            }
            var reasons: [String] = []
            var stored = false
            for mirror in mirrors {
                let source = mirror.appendingPathComponent(file.name)
                events(.downloading(file: file.name, from: source))
                let name = file.name
                let result = HTTPDownload.get(source, timeout: timeout, maxBytes: file.size) { received, expected in
                    events(.progress(file: name, received: received, expected: expected))
                }
                let reason: String
                switch result {
                case .failure(let failure):
                    reason = failure.reason
                case .success(let data):
                    let hash = Self.sha256(data)
                    guard hash == file.sha256 else {
                        reason = "got \(data.count) bytes with SHA-256 \(hash), expected \(file.sha256)"
                        break
                    }
                    do {
                        try AtomicFile.write(data, to: target)
                    } catch {
                        throw DataError(.unwritable, file: target.path, "cannot store the download: \(error)")
                    }
                    events(.saved(file: file.name, from: source, bytes: data.count))
                    stored = true
                    reason = ""
                }
                if stored { break }
                events(.mirrorFailed(file: file.name, from: source, reason: reason))
                reasons.append("\(source.absoluteString): \(reason)")
            }
            if !stored {
                failures.append("\(file.name) (\(reasons.joined(separator: "; ")))")
            }
        }
        guard failures.isEmpty else {
            throw DataError(.download, file: directory.path,
                            "could not download \(failures.count) of \(files.count) files: \(failures.joined(separator: "; "))")
        }
        return files.map { directory.appendingPathComponent($0.name) }
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
