import Foundation
import Tensor

/// Uploaded images kept for a later feedback by id, named by their content hash
/// (Outputs/serve/uploads/<sha256>.png): nothing from a request becomes a path, the same image is kept once,
/// and files are written atomically.
struct UploadStore: Sendable {
    let folder: URL

    func url(for sha256: String) -> URL? {
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return nil }
        return folder.appendingPathComponent("\(sha256).png")
    }

    func keep(_ bytes: Data, sha256: String) throws {
        guard let url = url(for: sha256) else { return }
        if FileManager.default.fileExists(atPath: url.path) { return }
        try AtomicFile.write(bytes, to: url, durable: false)
    }

    func read(sha256: String) -> Data? {
        url(for: sha256).flatMap { try? Data(contentsOf: $0) }
    }
}
