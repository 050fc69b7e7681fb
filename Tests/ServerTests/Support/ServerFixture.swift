import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import NeuralNet
@testable import Server
import Synchronization
import Testing

/// A throwaway project for one test: Workflows/ copied from the repository, a small random model at
/// Outputs/models/cnn.safetensors (10 finite outputs, nothing learnt: the API tests never look at accuracy),
/// and the server's log lines collected.
final class ServerFixture: Sendable {
    let root: URL
    let lines = Mutex<[String]>([])

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    init(model: Bool = true) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("Workflows"),
                                         to: root.appendingPathComponent("Workflows"))
        if model { try Self.writeModel(to: modelURL, seed: 1) }
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    var modelURL: URL { root.appendingPathComponent("Outputs/models/cnn.safetensors") }
    var feedbackFolder: URL { root.appendingPathComponent("incorrect_predictions") }
    var uploadsFolder: URL { root.appendingPathComponent("Outputs/serve/uploads") }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// A small CNN with PyTorch's initialisation from `seed`, saved atomically (as `stepwise run retrain` saves).
    static func writeModel(to url: URL, seed: UInt64, classes: Int = 10, testAccuracy: Double = 0.5) throws {
        let model = try Model(layers: [.conv2d(inChannels: 1, outChannels: 4, kernelSize: 3, stride: 1, padding: 0), .relu,
                                       .maxpool2d(kernelSize: 2, stride: 2), .flatten,
                                       .dense(inFeatures: 4 * 13 * 13, outFeatures: classes)],
                              inputShape: [1, 28, 28], normalization: InputNormalization(), seed: seed)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try model.save(to: url, metadata: ["stepwise.created": "2026-11-30T00:00:0\(seed % 10)Z",
                                           "stepwise.test_accuracy": String(testAccuracy)])
    }

    func configuration(database: String? = nil, token: String? = nil, maxBody: Int = 10 * 1024 * 1024) -> ServerConfiguration {
        ServerConfiguration(host: "127.0.0.1", port: 0, root: root, database: database, token: token, maxBody: maxBody)
    }

    func application(database: String? = nil, token: String? = nil, maxBody: Int = 10 * 1024 * 1024) async throws -> some ApplicationProtocol {
        try await StepwiseServer.makeApplication(configuration(database: database, token: token, maxBody: maxBody)) { [self] line in
            self.lines.withLock { $0.append(line) }
        }
    }

    /// Files under a folder (recursively), hidden ones included: what a request wrote.
    func files(under folder: URL) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return (e.allObjects as? [String] ?? []).sorted()
    }
}

/// Images for the tests.
enum TestImages {
    /// A digit-like stroke, dark ink on light paper, `size` pixels square: a vertical bar with a top bar (a 7).
    static func seven(size: Int = 64) -> Data {
        var image = GrayImage(width: size, height: size, pixels: [UInt8](repeating: 240, count: size * size))
        let t = max(2, size / 10)
        for y in (size / 5)..<(size / 5 + t) { for x in (size / 4)..<(3 * size / 4) { image[x, y] = 20 } }
        for y in (size / 5)..<(4 * size / 5) {
            let x = 3 * size / 4 - (y - size / 5) / 3
            for dx in 0..<t { image[min(size - 1, x + dx), y] = 20 }
        }
        return try! PNG.encode(gray: image.pixels, width: size, height: size)
    }

    /// A 28x28 white-on-black digit (MNIST's own form): a vertical bar (a 1).
    static func one() -> Data {
        var pixels = [UInt8](repeating: 0, count: 28 * 28)
        for y in 5..<23 { for x in 13..<16 { pixels[y * 28 + x] = 255 } }
        return try! PNG.encode(gray: pixels, width: 28, height: 28)
    }

    static func blank() -> Data {
        try! PNG.encode(gray: [UInt8](repeating: 255, count: 40 * 40), width: 40, height: 40)
    }

    /// A valid PNG signature and IHDR claiming `width` x `height`, and nothing after it (a decompression bomb's
    /// header): it must be refused before any decoding.
    static func claiming(width: Int, height: Int) -> Data {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        for v in [width, height] { bytes += (0..<4).reversed().map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) } }
        bytes += [8, 0, 0, 0, 0, 0, 0, 0, 0]
        return Data(bytes)
    }

    /// `multipart/form-data` with the image in a `file` field.
    static func multipart(_ png: Data, filename: String = "digit.png") -> (body: Data, contentType: String) {
        let boundary = "----stepwise\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += png
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }
}
