import Foundation
import Imaging
import NIOPosix
import Runtime

/// Turns an upload into a prediction off the event loop: checks the bytes (type, claimed size) before decoding,
/// then preprocesses and runs the model on NIO's blocking thread pool, one thread per request.
struct Classifier: Sendable {
    let models: ModelProvider
    let maxPixels: Int
    let pool: NIOThreadPool

    struct Result: Sendable {
        var prediction: Prediction
        var prepared: Predictor.Prepared
        var model: ServedModel
    }

    func classify(_ upload: ImageUpload) async throws -> Result {
        try upload.check(maxPixels: maxPixels)
        let (bytes, name, models) = (upload.bytes, upload.name, self.models)
        return try await pool.runIfActive {
            guard let served = models.current() else {
                throw ServerError(.serviceUnavailable, "no model to predict with: train one with `stepwise run train`")
            }
            let prepared = try Self.prepare(bytes, name: name)
            do {
                let prediction = try Predictor.classify([prepared], model: served.model, modelPath: models.url.path,
                                                        batchSize: 1, threads: 1)[0]
                return Result(prediction: prediction, prepared: prepared, model: served)
            } catch let error as IncompatibleModel {
                throw ServerError(.internalServerError, "the model cannot classify this image: \(error.reason)")
            }
        }
    }

    /// Decodes and preprocesses; the errors become the client's: 422 damaged or blank.
    static func prepare(_ bytes: Data, name: String) throws -> Predictor.Prepared {
        do {
            return try Predictor.prepare(bytes: bytes, name: name)
        } catch let error as PNGError {
            switch error.kind {
            case .notPNG: throw ServerError.unsupported("not a PNG image")
            default: throw ServerError.unprocessable("truncated or damaged PNG: \(error.detail)")
            }
        } catch is NoInkFound {
            throw ServerError.unprocessable("no ink found: the image is blank, there is no digit to classify")
        }
    }
}
