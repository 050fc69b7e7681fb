import CPNG
import Foundation
import Tensor
import StepwiseErrors

/// Why a PNG could not be read or written. Messages name the file.
public struct PNGError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The bytes do not start with the PNG signature.
        case notPNG
        /// A PNG whose contents libpng rejected (truncated, bad CRC, bad chunk…).
        case corrupt
        /// The file could not be opened or read.
        case unreadable
        /// Encoding failed.
        case encodeFailed
        /// The header claims more pixels than `ImageFile.maxPixels`; refused before decoding.
        case tooLarge
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
        case .notPNG: "\(name): not a PNG image (\(detail))"
        case .corrupt: "\(name): damaged PNG: \(detail)"
        case .unreadable: "\(name): cannot read: \(detail)"
        case .encodeFailed: "\(name): cannot encode PNG: \(detail)"
        case .tooLarge: "\(name): image too large: \(detail)"
        }
    }
}

/// PNG input and output through libpng's simplified `png_image` API, which reports errors as return codes
/// (the classic API longjmps, which Swift cannot unwind through).
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Refuse absurd dimensions before allocating (a 1-KiB file may claim to be 2^31 pixels wide).
    static let maxPixels = ImageFile.maxPixels

    /// The width and height an image's IHDR chunk claims, read from the first 24 bytes without decoding
    /// anything: callers refuse decompression bombs before libpng allocates. Nil when `data` does not start
    /// with the PNG signature and an IHDR chunk.
    public static func claimedSize(of data: Data) -> (width: Int, height: Int)? {
        guard data.count >= 24, data.prefix(8).elementsEqual(signature) else { return nil }
        let bytes = [UInt8](data.dropFirst(8).prefix(16))
        guard bytes[4...7].elementsEqual("IHDR".utf8) else { return nil }
        func bigEndian(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (bigEndian(8), bigEndian(12))
    }

    /// True when `data` starts with the PNG signature.
    public static func hasSignature(_ data: Data) -> Bool {
        data.count >= 8 && data.prefix(8).elementsEqual(signature)
    }

    /// Decodes any PNG (gray, RGB, RGBA, palette, 1–16 bits) into 8-bit luminance plus alpha when present.
    /// Colour is converted to luminance by libpng (sRGB coefficients); 16-bit samples are reduced to 8.
    public static func decode(_ data: Data, name: String = "image") throws(PNGError) -> GrayImage {
        guard data.count >= 8, data.prefix(8).elementsEqual(signature) else {
            let head = data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw PNGError(kind: .notPNG, name: name, detail: data.isEmpty ? "empty file" : "starts with \(head)")
        }
        // begin_read_from_memory keeps a pointer into the bytes until finish_read, so both calls share one
        // withUnsafeBytes scope: a second scope may hand out a different (temporary) pointer.
        let decoded = data.withUnsafeBytes { raw -> Result<(buffer: [UInt8], width: Int, height: Int, alpha: Bool), PNGError> in
            var image = png_image()
            image.version = png_uint_32(PNG_IMAGE_VERSION)
            defer { png_image_free(&image) }
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                return .failure(PNGError(kind: .corrupt, name: name, detail: messageOf(&image)))
            }
            let width = Int(image.width), height = Int(image.height)
            // Deflate cannot compress better than about 1032:1, so a small file claiming a huge size is lying;
            // refusing it here avoids allocating gigabytes before libpng finds the data missing.
            let plausible = raw.count * 1032 * 8
            guard width > 0, height > 0, width * height <= plausible else {
                return .failure(PNGError(kind: .corrupt, name: name,
                                         detail: "claims \(width)x\(height) pixels, more than a \(raw.count)-byte PNG can hold (limit \(plausible) pixels)"))
            }
            guard width * height <= maxPixels else {
                return .failure(PNGError(kind: .tooLarge, name: name, detail: ImageFile.overLimit(width: width, height: height)))
            }
            let hasAlpha = image.format & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
            image.format = hasAlpha ? png_uint_32(PNG_FORMAT_FLAG_ALPHA) : 0  // PNG_FORMAT_GA : PNG_FORMAT_GRAY
            // Without this flag libpng takes 16-bit samples without a gAMA/sRGB chunk as linear light and
            // brightens them on the way to 8 bits; image editors write such files sRGB-encoded, like 8-bit ones.
            image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
            let channels = hasAlpha ? 2 : 1
            var buffer = [UInt8](repeating: 0, count: width * height * channels)
            let finished = buffer.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, png_int_32(width * channels), nil)
            }
            guard finished != 0 else {
                return .failure(PNGError(kind: .corrupt, name: name, detail: messageOf(&image)))
            }
            return .success((buffer, width, height, hasAlpha))
        }
        let (buffer, width, height, hasAlpha) = try decoded.get()
        if !hasAlpha {
            return GrayImage(width: width, height: height, pixels: buffer)
        }
        var gray = [UInt8](repeating: 0, count: width * height)
        var alpha = [UInt8](repeating: 0, count: width * height)
        for i in 0..<(width * height) {
            gray[i] = buffer[2 * i]
            alpha[i] = buffer[2 * i + 1]
        }
        return GrayImage(width: width, height: height, pixels: gray, alpha: alpha)
    }

    /// Reads and decodes a PNG file.
    public static func read(contentsOf url: URL) throws(PNGError) -> GrayImage {
        try decode(readBytes(of: url), name: url.path)
    }

    /// A file's bytes, or the `.unreadable` error that says why not: "no such file", "is a directory, not a
    /// regular file", "is a FIFO (named pipe), not a regular file" (refused without waiting for a writer), or
    /// the system's reason.
    public static func readBytes(of url: URL) throws(PNGError) -> Data {
        do throws(FileError) {
            return try RegularFile.read(url)
        } catch {
            throw PNGError(kind: .unreadable, name: url.path,
                           detail: FileManager.default.fileExists(atPath: url.path) ? error.reason : "no such file")
        }
    }

    /// Encodes 8-bit grayscale pixels (rows top to bottom) as a PNG.
    public static func encode(gray pixels: [UInt8], width: Int, height: Int) throws(PNGError) -> Data {
        precondition(pixels.count == width * height, "\(pixels.count) pixels for \(width)x\(height)")
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = 0  // PNG_FORMAT_GRAY
        var size = 0
        // First call measures, second writes.
        let measured = pixels.withUnsafeBytes { raw in
            png_image_write_to_memory(&image, nil, &size, 0, raw.baseAddress, png_int_32(width), nil)
        }
        guard measured != 0, size > 0 else {
            let message = messageOf(&image)
            png_image_free(&image)
            throw PNGError(kind: .encodeFailed, name: "\(width)x\(height) image", detail: message)
        }
        var out = Data(count: size)
        let written = out.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { raw in
                png_image_write_to_memory(&image, dst.baseAddress, &size, 0, raw.baseAddress, png_int_32(width), nil)
            }
        }
        guard written != 0 else {
            let message = messageOf(&image)
            png_image_free(&image)
            throw PNGError(kind: .encodeFailed, name: "\(width)x\(height) image", detail: message)
        }
        png_image_free(&image)
        return out.prefix(size)
    }

    /// Writes a grayscale PNG atomically (temporary file, then rename).
    public static func write(_ image: GrayImage, to url: URL) throws {
        try AtomicFile.write(encode(gray: image.pixels, width: image.width, height: image.height), to: url)
    }

    private static func messageOf(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "libpng gave no reason" : String(decoding: bytes, as: UTF8.self)
        }
    }
}

extension PNGError: ExitCoded {
    public var exitCode: Int32 { ExitCode.usage }
}
