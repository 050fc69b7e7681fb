import Foundation
import NeuralNet
import Runtime

/// A model as the server holds it: loaded once, never changed; a reload makes a new one and swaps the reference.
package final class ServedModel: Sendable {
    package let model: Model
    package let info: ModelInfo
    /// The file's identity when it was read (device, inode, size, mtime, ctime).
    package let fingerprint: FileStamp

    package init(model: Model, info: ModelInfo, fingerprint: FileStamp) {
        self.model = model
        self.info = info
        self.fingerprint = fingerprint
    }
}

/// What every answer says about the model that gave it.
package struct ModelInfo: Encodable, Sendable, Equatable {
    package var sha256: String
    /// When the model was saved (`stepwise.created` in the file), if it says.
    @Nullable package var created: String?
    /// Its MNIST test accuracy (0..1) when it was saved, if it says.
    @Nullable package var testAccuracy: Double?

    enum CodingKeys: String, CodingKey {
        case sha256, created, testAccuracy = "test_accuracy"
    }

    package init(sha256: String, created: String?, testAccuracy: Double?) {
        self.sha256 = sha256
        self.created = created
        self.testAccuracy = testAccuracy
    }

    /// Reads the metadata a model file carries (`stepwise.created`, `stepwise.test_accuracy`).
    package init(sha256: String, metadata: [String: String]) {
        self.init(sha256: sha256, created: metadata["stepwise.created"],
                  testAccuracy: metadata["stepwise.test_accuracy"].flatMap(Double.init))
    }
}
