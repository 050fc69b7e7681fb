import CJPEG
import Foundation

/// Why a JPEG could not be read or written. Messages name the file.
public struct JPEGError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The bytes do not start with a JPEG start-of-image marker.
        case notJPEG
        /// A JPEG that libjpeg-turbo rejected: truncated, corrupt, or a kind it cannot turn into grey (CMYK).
        case corrupt
        /// The header claims more pixels than `ImageFile.maxPixels`; refused before decoding.
        case tooLarge
        /// Encoding failed.
        case encodeFailed
    }

    public let kind: Kind
    public let name: String
    public let detail: String

    public init(kind: Kind, name: String, detail: String) {
        self.kind = kind
        self.name = name
        self.detail = detail
    }

    public var description: String {
        switch kind {
        case .notJPEG: "\(name): not a JPEG image (\(detail))"
        case .corrupt: "\(name): damaged JPEG: \(detail)"
        case .tooLarge: "\(name): image too large: \(detail)"
        case .encodeFailed: "\(name): cannot encode JPEG: \(detail)"
        }
    }
}

/// JPEG input (and output, for tests and benchmarks) through libjpeg-turbo's TurboJPEG API, which reports errors
/// as return codes (libjpeg's own API longjmps, which Swift cannot unwind through). Decoding gives 8-bit
/// luminance, turned upright by the file's EXIF orientation.
public enum JPEG {
    /// Start-of-image marker followed by the first marker's 0xFF.
    static let signature: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// True when `data` starts like a JPEG.
    public static func hasSignature(_ data: Data) -> Bool {
        data.count >= 3 && data.prefix(3).elementsEqual(signature)
    }

    /// The width and height the frame header claims (as stored, before EXIF rotation), without decoding.
    public static func claimedSize(of data: Data, name: String = "image") throws(JPEGError) -> (width: Int, height: Int) {
        guard hasSignature(data) else { throw notJPEG(data, name: name) }
        guard let handle = tjInitDecompress() else {
            throw JPEGError(kind: .corrupt, name: name, detail: "cannot start the decoder: \(lastError(nil))")
        }
        defer { tjDestroy(handle) }
        return try header(handle, data, name: name)
    }

    /// Decodes a baseline or progressive JPEG (grey, YCbCr) into 8-bit luminance, upright by its EXIF orientation.
    /// An image whose header claims more than `ImageFile.maxPixels` pixels is refused before anything is
    /// allocated for it; a truncated or corrupt file is an error (libjpeg's warnings count as errors, so a file
    /// cut short is not silently filled with grey).
    public static func decode(_ data: Data, name: String = "image") throws(JPEGError) -> GrayImage {
        guard hasSignature(data) else { throw notJPEG(data, name: name) }
        guard let handle = tjInitDecompress() else {
            throw JPEGError(kind: .corrupt, name: name, detail: "cannot start the decoder: \(lastError(nil))")
        }
        defer { tjDestroy(handle) }
        let (width, height) = try header(handle, data, name: name)
        guard width * height <= ImageFile.maxPixels else {
            throw JPEGError(kind: .tooLarge, name: name, detail: ImageFile.overLimit(width: width, height: height))
        }
        var pixels = [UInt8](repeating: 0, count: width * height)
        let flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS
        let status = data.withUnsafeBytes { raw in
            pixels.withUnsafeMutableBytes { out in
                tjDecompress2(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count),
                              out.bindMemory(to: UInt8.self).baseAddress, Int32(width), Int32(width), Int32(height),
                              Int32(TJPF_GRAY.rawValue), flags)
            }
        }
        guard status == 0 else {
            throw JPEGError(kind: .corrupt, name: name, detail: lastError(handle))
        }
        let image = GrayImage(width: width, height: height, pixels: pixels)
        return Orientation(exifOf: data).upright(image)
    }

    /// Encodes 8-bit grayscale pixels (rows top to bottom) as a baseline greyscale JPEG at `quality` (1-100).
    public static func encode(gray pixels: [UInt8], width: Int, height: Int, quality: Int = 90) throws(JPEGError) -> Data {
        precondition(pixels.count == width * height, "\(pixels.count) pixels for \(width)x\(height)")
        guard let handle = tjInitCompress() else {
            throw JPEGError(kind: .encodeFailed, name: "\(width)x\(height) image", detail: lastError(nil))
        }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        defer { if let output { tjFree(output) } }
        let status = pixels.withUnsafeBufferPointer { source in
            tjCompress2(handle, source.baseAddress, Int32(width), Int32(width), Int32(height), Int32(TJPF_GRAY.rawValue),
                        &output, &size, Int32(TJSAMP_GRAY.rawValue), Int32(max(1, min(100, quality))), 0)
        }
        guard status == 0, let output else {
            throw JPEGError(kind: .encodeFailed, name: "\(width)x\(height) image", detail: lastError(handle))
        }
        return Data(bytes: output, count: Int(size))
    }

    private static func header(_ handle: tjhandle, _ data: Data, name: String) throws(JPEGError) -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = data.withUnsafeBytes { raw in
            tjDecompressHeader3(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count),
                                &width, &height, &subsampling, &colorspace)
        }
        guard status == 0 else { throw JPEGError(kind: .corrupt, name: name, detail: lastError(handle)) }
        guard width > 0, height > 0 else {
            throw JPEGError(kind: .corrupt, name: name, detail: "claims \(width)x\(height) pixels")
        }
        return (Int(width), Int(height))
    }

    private static func notJPEG(_ data: Data, name: String) -> JPEGError {
        let head = data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        return JPEGError(kind: .notJPEG, name: name, detail: data.isEmpty ? "empty file" : "starts with \(head)")
    }

    private static func lastError(_ handle: tjhandle?) -> String {
        guard let message = tjGetErrorStr2(handle) else { return "libjpeg-turbo gave no reason" }
        let text = String(cString: message)
        return text.isEmpty ? "libjpeg-turbo gave no reason" : text
    }
}
