import Foundation

/// How a camera says its picture is to be turned upright: the EXIF Orientation tag (TIFF tag 0x0112), values 1-8.
/// Phones store the sensor's rows as they came and set this tag instead of rotating the pixels.
public enum Orientation: Int, Sendable, Equatable, CaseIterable {
    case up = 1, mirrored = 2, down = 3, mirroredDown = 4
    case leftMirrored = 5, right = 6, rightMirrored = 7, left = 8

    /// The Orientation tag of a JPEG's APP1 Exif segment (IFD0); `.up` when there is none or it is unreadable.
    /// Every read is bounds-checked: the bytes come from uploads.
    public init(exifOf data: Data) {
        self = Self.exifValue(in: [UInt8](data)).flatMap(Orientation.init(rawValue:)) ?? .up
    }

    /// The image turned as the tag says, so that it shows upright. Orientations 5-8 swap width and height.
    public func upright(_ image: GrayImage) -> GrayImage {
        guard self != .up else { return image }
        let w = image.width, h = image.height
        let swaps = rawValue >= 5
        let outWidth = swaps ? h : w, outHeight = swaps ? w : h
        var pixels = [UInt8](repeating: 0, count: w * h)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                let (sx, sy): (Int, Int) = switch self {
                case .up: (x, y)
                case .mirrored: (w - 1 - x, y)
                case .down: (w - 1 - x, h - 1 - y)
                case .mirroredDown: (x, h - 1 - y)
                case .leftMirrored: (y, x)
                case .right: (y, h - 1 - x)
                case .rightMirrored: (w - 1 - y, h - 1 - x)
                case .left: (w - 1 - y, x)
                }
                pixels[y * outWidth + x] = image.pixels[sy * w + sx]
            }
        }
        return GrayImage(width: outWidth, height: outHeight, pixels: pixels)
    }

    /// Walks the JPEG's marker segments up to the start of scan and reads IFD0's Orientation from the first
    /// APP1 segment that holds Exif data. Nil when any length or offset points outside the bytes.
    static func exifValue(in bytes: [UInt8]) -> Int? {
        let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]  // "Exif\0\0"
        var value: Int?
        JPEGFrame.walkSegments(bytes) { marker, body in
            guard marker == 0xE1, body.count >= 6, bytes[body.prefix(6)].elementsEqual(exifHeader) else { return true }
            value = tiffOrientation(Array(bytes[(body.lowerBound + 6)..<body.upperBound]))
            return false
        }
        return value
    }

    /// The Orientation entry of a TIFF structure's first IFD (as an Exif segment holds it after "Exif\0\0").
    static func tiffOrientation(_ tiff: [UInt8]) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true   // "II"
        case (0x4D, 0x4D): little = false  // "MM"
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            let a = Int(tiff[at]), b = Int(tiff[at + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard let low = u16(little ? at : at + 2), let high = u16(little ? at + 2 : at) else { return nil }
            return high << 16 | low
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let at = ifd + 2 + 12 * entry
            guard let tag = u16(at), let type = u16(at + 2), let values = u32(at + 4) else { return nil }
            guard tag == 0x0112 else { continue }
            // SHORT (type 3), one value, stored in the first two bytes of the value field.
            guard type == 3, values >= 1, let value = u16(at + 8) else { return nil }
            return value
        }
        return nil
    }
}
