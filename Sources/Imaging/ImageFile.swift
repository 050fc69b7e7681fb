import Foundation
import StepwiseErrors

/// Why an image file could not be read: a PNG or JPEG decoding error, or a file that is neither.
public enum ImageError: Error, CustomStringConvertible, Equatable {
    case png(PNGError)
    case jpeg(JPEGError)
    /// Neither a PNG nor a JPEG signature; `detail` shows how it starts.
    case unknownFormat(name: String, detail: String)

    public var description: String {
        switch self {
        case .png(let error): error.description
        case .jpeg(let error): error.description
        case .unknownFormat(let name, let detail): "\(name): not a PNG or JPEG image (\(detail))"
        }
    }

    /// The file could not be opened or read at all (as opposed to read and found unusable).
    public var isUnreadable: Bool {
        if case .png(let error) = self { return error.kind == .unreadable }
        return false
    }

    /// The image claims more pixels than `ImageFile.maxPixels` (refused before decoding).
    public var isTooLarge: Bool {
        switch self {
        case .png(let error): error.kind == .tooLarge
        case .jpeg(let error): error.kind == .tooLarge
        case .unknownFormat: false
        }
    }
}

/// The one entry point for image files people give: PNG or JPEG, told apart by their first bytes (not by the
/// file's name), with one pixel limit for both. predict, feedback, the retrain folder and serve read through it.
public enum ImageFile {
    public enum Format: String, Sendable {
        case png, jpeg
    }

    /// The most pixels an image may claim (25 megapixels: a 6000x4000 phone photo fits). Checked from the
    /// header, before anything is decoded or allocated for the pixels.
    public static let maxPixels = 25_000_000

    /// PNG or JPEG by the file's signature; nil for anything else.
    public static func format(of data: Data) -> Format? {
        if PNG.hasSignature(data) { return .png }
        if JPEG.hasSignature(data) { return .jpeg }
        return nil
    }

    /// The width and height the header claims (a JPEG's before EXIF rotation), read without decoding.
    public static func claimedSize(of data: Data, name: String = "image") throws(ImageError) -> (width: Int, height: Int) {
        switch format(of: data) {
        case .png:
            guard let size = PNG.claimedSize(of: data) else {
                throw .png(PNGError(kind: .corrupt, name: name, detail: "no IHDR chunk after the signature"))
            }
            return size
        case .jpeg:
            do throws(JPEGError) { return try JPEG.claimedSize(of: data, name: name) } catch { throw .jpeg(error) }
        case nil:
            throw unknown(data, name: name)
        }
    }

    /// Decodes a PNG or JPEG into 8-bit luminance (plus alpha for a PNG with transparency).
    public static func decode(_ data: Data, name: String = "image") throws(ImageError) -> GrayImage {
        switch format(of: data) {
        case .png:
            do throws(PNGError) { return try PNG.decode(data, name: name) } catch { throw .png(error) }
        case .jpeg:
            do throws(JPEGError) { return try JPEG.decode(data, name: name) } catch { throw .jpeg(error) }
        case nil:
            throw unknown(data, name: name)
        }
    }

    /// Reads and decodes a PNG or JPEG file.
    public static func read(contentsOf url: URL) throws(ImageError) -> GrayImage {
        try decode(readBytes(of: url), name: url.path)
    }

    /// A file's bytes, or the error that says why not (see `PNG.readBytes`).
    public static func readBytes(of url: URL) throws(ImageError) -> Data {
        do throws(PNGError) { return try PNG.readBytes(of: url) } catch { throw .png(error) }
    }

    /// "claims 30000x20000 = 600000000 pixels, over the limit of 25000000": the message for an image refused
    /// from its header.
    static func overLimit(width: Int, height: Int) -> String {
        "claims \(width)x\(height) = \(width * height) pixels, over the limit of \(maxPixels)"
    }

    private static func unknown(_ data: Data, name: String) -> ImageError {
        let head = data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        return .unknownFormat(name: name, detail: data.isEmpty ? "empty file" : "starts with \(head)")
    }
}

extension ImageError: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}
