import CJPEG
import Foundation
import StepwiseErrors

/// Why a JPEG could not be read or written. Messages name the file.
public struct JPEGError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The bytes do not start with a JPEG start-of-image marker.
        case notJPEG
        /// A JPEG that libjpeg-turbo rejected: truncated or corrupt.
        case corrupt
        /// A valid JPEG of a kind this reader does not decode: 12- or 16-bit samples, lossless or hierarchical
        /// coding. `detail` names the kind.
        case unsupported
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
        case .unsupported: "\(name): unsupported JPEG: \(detail); save it as an 8-bit JPEG or a PNG"
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
        if let unsupported = JPEGFrame(scanning: [UInt8](data))?.unsupported {
            throw JPEGError(kind: .unsupported, name: name, detail: unsupported)
        }
        let (width, height, _) = try header(handle, data, name: name)
        return (width, height)
    }

    /// Decodes a baseline, progressive or arithmetic-coded 8-bit JPEG (grey, YCbCr, RGB, CMYK or YCCK) into
    /// 8-bit luminance, upright by its EXIF orientation. 12- and 16-bit, lossless and hierarchical JPEGs are
    /// refused by name (`unsupported`) before libjpeg-turbo sees them.
    /// An image whose header claims more than `ImageFile.maxPixels` pixels is refused before anything is
    /// allocated for it; a truncated or corrupt file is an error (libjpeg's warnings count as errors, so a file
    /// cut short is not silently filled with grey).
    public static func decode(_ data: Data, name: String = "image") throws(JPEGError) -> GrayImage {
        guard hasSignature(data) else { throw notJPEG(data, name: name) }
        guard let handle = tjInitDecompress() else {
            throw JPEGError(kind: .corrupt, name: name, detail: "cannot start the decoder: \(lastError(nil))")
        }
        defer { tjDestroy(handle) }
        let frame = JPEGFrame(scanning: [UInt8](data))
        if let unsupported = frame?.unsupported { throw JPEGError(kind: .unsupported, name: name, detail: unsupported) }
        let (width, height, colorspace) = try header(handle, data, name: name)
        guard width * height <= ImageFile.maxPixels else {
            throw JPEGError(kind: .tooLarge, name: name, detail: ImageFile.overLimit(width: width, height: height))
        }
        // CMYK and YCCK JPEGs decode only to CMYK; the rest straight to grey.
        let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let channels = cmyk ? 4 : 1
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS
        let format = cmyk ? TJPF_CMYK : TJPF_GRAY
        let status = data.withUnsafeBytes { raw in
            pixels.withUnsafeMutableBytes { out in
                tjDecompress2(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count),
                              out.bindMemory(to: UInt8.self).baseAddress, Int32(width), Int32(width * channels),
                              Int32(height), Int32(format.rawValue), flags)
            }
        }
        guard status == 0 else {
            throw JPEGError(kind: .corrupt, name: name, detail: lastError(handle))
        }
        if cmyk { pixels = luminance(cmyk: pixels, inverted: frame?.adobe ?? false) }
        let image = GrayImage(width: width, height: height, pixels: pixels)
        return Orientation(exifOf: data).upright(image)
    }

    /// Luminance (Rec. 601 weights) of CMYK pixels: each ink takes away its share of the light. Files with an
    /// Adobe marker (Photoshop's and nearly every other CMYK JPEG) store the inks inverted, 255 for no ink.
    static func luminance(cmyk: [UInt8], inverted: Bool) -> [UInt8] {
        (0..<(cmyk.count / 4)).map { i in
            func light(_ channel: Int) -> Int {
                let v = Int(cmyk[4 * i + channel])
                return inverted ? v : 255 - v
            }
            let k = light(3)
            let r = light(0) * k, g = light(1) * k, b = light(2) * k  // each 0...255*255
            return UInt8((299 * r + 587 * g + 114 * b + 127_500) / 255_000)
        }
    }

    /// Encodes 8-bit grayscale pixels (rows top to bottom) as a baseline greyscale JPEG at `quality` (1-100).
    public static func encode(gray pixels: [UInt8], width: Int, height: Int, quality: Int = 90) throws(JPEGError) -> Data {
        precondition(pixels.count == width * height, "\(pixels.count) pixels for \(width)x\(height)")
        return try compress(pixels, width: width, height: height, format: TJPF_GRAY, channels: 1,
                            subsampling: TJSAMP_GRAY, quality: quality)
    }

    /// Encodes CMYK pixels (4 bytes each, rows top to bottom, stored as given) as a CMYK JPEG at quality 100;
    /// libjpeg writes an Adobe marker with it. For tests of CMYK decoding.
    static func encode(cmyk pixels: [UInt8], width: Int, height: Int) throws(JPEGError) -> Data {
        precondition(pixels.count == 4 * width * height, "\(pixels.count) bytes for \(width)x\(height) CMYK")
        return try compress(pixels, width: width, height: height, format: TJPF_CMYK, channels: 4,
                            subsampling: TJSAMP_444, quality: 100)
    }

    private static func compress(_ pixels: [UInt8], width: Int, height: Int, format: TJPF, channels: Int,
                                 subsampling: TJSAMP, quality: Int) throws(JPEGError) -> Data {
        guard let handle = tjInitCompress() else {
            throw JPEGError(kind: .encodeFailed, name: "\(width)x\(height) image", detail: lastError(nil))
        }
        defer { tjDestroy(handle) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        defer { if let output { tjFree(output) } }
        let status = pixels.withUnsafeBufferPointer { source in
            tjCompress2(handle, source.baseAddress, Int32(width), Int32(channels * width), Int32(height),
                        Int32(format.rawValue), &output, &size, Int32(subsampling.rawValue),
                        Int32(max(1, min(100, quality))), 0)
        }
        guard status == 0, let output else {
            throw JPEGError(kind: .encodeFailed, name: "\(width)x\(height) image", detail: lastError(handle))
        }
        return Data(bytes: output, count: Int(size))
    }

    private static func header(_ handle: tjhandle, _ data: Data, name: String) throws(JPEGError) -> (width: Int, height: Int, colorspace: Int32) {
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = data.withUnsafeBytes { raw in
            tjDecompressHeader3(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count),
                                &width, &height, &subsampling, &colorspace)
        }
        guard status == 0 else { throw JPEGError(kind: .corrupt, name: name, detail: lastError(handle)) }
        guard width > 0, height > 0 else {
            throw JPEGError(kind: .corrupt, name: name, detail: "claims \(width)x\(height) pixels")
        }
        return (Int(width), Int(height), colorspace)
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

extension JPEGError: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}
