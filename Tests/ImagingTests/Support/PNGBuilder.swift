/// Builds PNG files chunk by chunk, for any colour type and bit depth, with the image data in stored
/// (uncompressed) deflate blocks, so the tests need no encoder of their own beyond CRC-32 and Adler-32.
enum PNGBuilder {
    enum ColorType: UInt8 {
        case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6
        var channels: Int {
            switch self {
            case .gray, .palette: 1
            case .grayAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    /// `samples` holds `width * channels` values per row, `height` rows, each value < 2^bitDepth.
    static func png(width: Int, height: Int, bitDepth: Int, color: ColorType, samples: [Int],
                    palette: [UInt8]? = nil, transparency: [UInt8]? = nil) -> [UInt8] {
        precondition(samples.count == width * height * color.channels)
        var raw: [UInt8] = []
        let perRow = width * color.channels
        for y in 0..<height {
            raw.append(0)  // filter type None
            raw += pack(Array(samples[(y * perRow)..<((y + 1) * perRow)]), bitDepth: bitDepth)
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", ihdr(width: width, height: height, bitDepth: bitDepth, color: color))
        if let palette { file += chunk("PLTE", palette) }
        if let transparency { file += chunk("tRNS", transparency) }
        file += chunk("IDAT", zlibStored(raw))
        file += chunk("IEND", [])
        return file
    }

    static func ihdr(width: Int, height: Int, bitDepth: Int, color: ColorType) -> [UInt8] {
        bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [UInt8(bitDepth), color.rawValue, 0, 0, 0]
    }

    /// Packs samples most significant bit first; 16-bit samples big-endian.
    static func pack(_ samples: [Int], bitDepth: Int) -> [UInt8] {
        if bitDepth == 16 { return samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }
        if bitDepth == 8 { return samples.map { UInt8($0) } }
        var out: [UInt8] = []
        var current = 0, used = 0
        for sample in samples {
            current = current << bitDepth | sample
            used += bitDepth
            if used == 8 {
                out.append(UInt8(current))
                current = 0
                used = 0
            }
        }
        if used > 0 { out.append(UInt8(current << (8 - used))) }
        return out
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
    }

    /// A zlib stream of stored deflate blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        return out + bigEndian(adler32(data))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }
}
