import Foundation
import Imaging
import NIOCore
import NIOPosix
import Runtime

/// Turns an upload into a prediction off the event loop: checks the bytes (type, claimed size) before decoding,
/// preprocesses on NIO's blocking thread pool, then runs the model there too, batched with concurrent requests.
struct Classifier: Sendable {
    let models: ModelProvider
    let maxPixels: Int
    let pool: NIOThreadPool
    let batcher: InferenceBatcher
    /// Where a readable upload is kept (by content hash) for a later feedback by id.
    let uploads: UploadStore

    init(models: ModelProvider, maxPixels: Int, pool: NIOThreadPool, uploads: UploadStore) {
        self.models = models
        self.maxPixels = maxPixels
        self.pool = pool
        self.uploads = uploads
        self.batcher = InferenceBatcher(pool: pool, threads: max(1, System.coreCount))
    }

    struct Result: Sendable {
        var prediction: Prediction
        var prepared: Predictor.Prepared
        var model: ServedModel
        /// SHA-256 of the upload's bytes: its name under Outputs/serve/uploads/.
        var imageSHA256: String
        /// The 28x28 the model saw, as PNG.
        var digitPNG: Data
    }

    func classify(_ upload: ImageUpload) async throws -> Result {
        try upload.check(maxPixels: maxPixels)
        let (bytes, name, models, uploads) = (upload.bytes, upload.name, self.models, self.uploads)
        // One hop to the pool for everything blocking before inference: the model check, decoding, and keeping
        // the upload once it is known to be a readable image with ink.
        let (prepared, served, hash, digitPNG) = try await pool.runIfActive {
            guard let served = models.current() else {
                throw ServerError(.serviceUnavailable, "no model to predict with: train one with `stepwise run train`")
            }
            let prepared = try Self.prepare(bytes, name: name)
            let hash = FeedbackStore.contentHash(bytes)
            try uploads.keep(bytes, sha256: hash)
            return (prepared, served, hash, try PNG.encode(gray: prepared.digit, width: 28, height: 28))
        }
        do {
            let prediction = try await batcher.classify(prepared, model: served)
            return Result(prediction: prediction, prepared: prepared, model: served, imageSHA256: hash, digitPNG: digitPNG)
        } catch let error as IncompatibleModel {
            throw ServerError(.internalServerError, "the model cannot classify this image: \(error.reason)")
        }
    }

    /// Decodes and preprocesses; the errors become the client's: 422 damaged or blank.
    static func prepare(_ bytes: Data, name: String) throws -> Predictor.Prepared {
        do {
            return try Predictor.prepare(bytes: bytes, name: name)
        } catch let error as ImageError {
            if case .unknownFormat = error { throw ServerError.unsupported("not a PNG or JPEG image") }
            throw ServerError.unprocessable("truncated or damaged image: \(error)")
        } catch is NoInkFound {
            throw ServerError.unprocessable("no ink found: the image is blank, there is no digit to classify")
        }
    }
}
