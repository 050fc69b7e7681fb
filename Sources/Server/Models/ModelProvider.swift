import Foundation
import Logging
import NeuralNet
import Runtime
import Synchronization
import Tensor

/// The model being served, reloaded when its file changes (a promoted retrain renames a new file over it).
///
/// Each request calls `current()`: one stat(2) of the file. When the stamp differs from the served model's, the
/// new file is read once, hashed and loaded in full, checked (28x28 in, 10 finite outputs), and only then the
/// reference is swapped; a request holds the `ServedModel` it got for its whole life, so it sees the old model or
/// the new one, never a mix. Writers rename atomically, so a half-written file is never seen. A file that fails
/// the checks is refused once (logged) and the previous model goes on serving.
package final class ModelProvider: Sendable {
    package let url: URL
    private let logger: Logger
    private struct State {
        var served: ServedModel?
        /// The stamp of a file that failed to load: not tried again until it changes.
        var refused: FileStamp?
    }
    private let state = Mutex(State())
    /// One reload at a time; requests meanwhile go on with the model they have.
    private let reloading = Mutex(false)

    package init(url: URL, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    /// Loads the model at startup. A missing file is not an error (the server answers 503 until one appears);
    /// an unusable one is.
    package func loadInitial() throws {
        guard let stamp = FileStamp.of(url) else { return }
        let served = try Self.load(url, stamp: stamp)
        state.withLock { $0.served = served }
    }

    /// The model to answer with, reloaded first if the file changed.
    package func current() -> ServedModel? {
        let stamp = FileStamp.of(url)
        let (served, refused) = state.withLock { ($0.served, $0.refused) }
        guard let stamp, stamp != served?.fingerprint, stamp != refused else { return served }
        // Another request is already loading the new file: answer with the one we have, if any.
        guard reloading.withLock({ busy in busy ? false : { busy = true; return true }() }) else { return served }
        defer { reloading.withLock { $0 = false } }
        do {
            let fresh = try Self.load(url, stamp: stamp)
            state.withLock { $0.served = fresh; $0.refused = nil }
            logger.notice("model reloaded: \(fresh.info.sha256) from \(url.path)")
            return fresh
        } catch {
            state.withLock { $0.refused = stamp }
            logger.error("model not reloaded, still serving \(served?.info.sha256 ?? "none"): \(error)")
            return served
        }
    }

    private static func load(_ url: URL, stamp: FileStamp) throws -> ServedModel {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw ModelFileError("\(url.path): cannot read: \(error.localizedDescription)")
        }
        let file: SafeTensors
        do {
            file = try SafeTensors(data: bytes)
        } catch {
            throw ModelFileError("\(url.path): not a readable model file: \(error)")
        }
        let model = try Predictor.loadModel(file, path: url.path)
        let hash = FeedbackStore.contentHash(bytes)
        return ServedModel(model: model, info: ModelInfo(sha256: hash, metadata: file.metadata), fingerprint: stamp)
    }
}
