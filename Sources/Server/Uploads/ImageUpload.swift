import Foundation
import Hummingbird
import Imaging

/// An image taken from a request: the raw body (`image/png`, `image/jpeg`, `application/octet-stream`) or the
/// `file` field of a `multipart/form-data` body. The body is read up to the limit and no further (413 beyond);
/// the bytes are then sniffed, so a declared type never overrides what the bytes are.
struct ImageUpload {
    var bytes: Data
    /// The name the client gave (multipart `filename`), for the answer only: it never becomes a path.
    var name: String

    static func read(_ request: Request, limit: Int) async throws -> ImageUpload {
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch mediaType {
        case "multipart/form-data":
            let body = try await RequestBody.collect(request, limit: limit)
            guard let boundary = Multipart.boundary(in: contentType) else {
                throw ServerError.badRequest("multipart/form-data without a boundary")
            }
            guard let part = Multipart.file(in: body, boundary: boundary) else {
                throw ServerError.badRequest("multipart/form-data without a `file` field")
            }
            return ImageUpload(bytes: part.bytes, name: part.filename ?? "upload")
        case "image/png", "image/jpeg", "image/jpg", "application/octet-stream", "":
            return ImageUpload(bytes: try await RequestBody.collect(request, limit: limit), name: "upload")
        default:
            throw ServerError.unsupported("Content-Type \(mediaType) is not an image: send image/png or image/jpeg, or multipart/form-data with a `file` field")
        }
    }

    /// Refuses what is neither a PNG nor a JPEG, and a header claiming more pixels than `maxPixels`, before any
    /// decoding.
    func check(maxPixels: Int) throws {
        guard ImageFile.format(of: bytes) != nil else {
            throw ServerError.unsupported(bytes.isEmpty ? "empty body: send a PNG or JPEG image" : "not a PNG or JPEG image")
        }
        let size: (width: Int, height: Int)
        do {
            size = try ImageFile.claimedSize(of: bytes, name: name)
        } catch {
            throw ServerError.unprocessable("truncated or damaged image: \(error)")
        }
        guard size.width > 0, size.height > 0, size.width * size.height <= maxPixels else {
            throw ServerError.unprocessable("image too large: its header claims \(size.width)x\(size.height) pixels, "
                                            + "more than the limit of \(maxPixels)")
        }
    }
}

/// Request bodies read with a limit.
enum RequestBody {
    /// The body, or 413 without reading more than `limit` bytes (at once when Content-Length says it is larger).
    static func collect(_ request: Request, limit: Int) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw tooLarge(limit)
        }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readData(length: buffer.readableBytes) ?? Data()
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // NIOTooManyBytesError: the limit was passed while reading.
            throw tooLarge(limit)
        }
    }

    static func tooLarge(_ limit: Int) -> ServerError {
        ServerError(.contentTooLarge, "request body over the limit of \(limit) bytes")
    }
}
