import Foundation
import Testing
@testable import Imaging

@Suite("JPEG decoding, EXIF orientation and the shared image entry point")
struct JPEGTests {
    /// 24x16 pixels: six flat 8x8 blocks, each its own level, so JPEG keeps them (nearly) exactly and every
    /// rotation or mirror of the image is told apart.
    static let levels: [[UInt8]] = [[10, 60, 110], [160, 210, 250]]
    static let blocks: GrayImage = {
        var pixels: [UInt8] = []
        for y in 0..<16 {
            for x in 0..<24 { pixels.append(levels[y / 8][x / 8]) }
        }
        return GrayImage(width: 24, height: 16, pixels: pixels)
    }()

    static func jpeg(_ image: GrayImage = blocks, quality: Int = 100) throws -> Data {
        try JPEG.encode(gray: image.pixels, width: image.width, height: image.height, quality: quality)
    }

    static func maxDifference(_ a: GrayImage, _ b: GrayImage) -> Int {
        zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }

    /// An APP1 Exif segment whose IFD0 holds one entry, the Orientation tag, in the given byte order.
    static func exifSegment(orientation: Int, littleEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        var tiff: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
        tiff += u16(42) + u32(8)                                  // header, IFD0 at offset 8
        tiff += u16(1)                                            // one entry
        tiff += u16(0x0112) + u16(3) + u32(1) + u16(orientation) + [0, 0]
        tiff += u32(0)                                            // no next IFD
        let body: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let length = body.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + body
    }

    /// `data` with `segment` inserted right after the start-of-image marker.
    static func inserting(_ segment: [UInt8], into data: Data) -> Data {
        Data(data.prefix(2)) + Data(segment) + Data(data.dropFirst(2))
    }

    @Test("a JPEG decodes to the pixels it was made from")
    func knownPixels() throws {
        let decoded = try JPEG.decode(Self.jpeg(), name: "blocks.jpg")
        #expect(decoded.width == 24 && decoded.height == 16 && decoded.alpha == nil)
        #expect(Self.maxDifference(decoded, Self.blocks) <= 2)
        // A real photo-like gradient at quality 90 stays close too.
        var gradient = [UInt8](repeating: 0, count: 64 * 48)
        for y in 0..<48 { for x in 0..<64 { gradient[y * 64 + x] = UInt8(40 + 2 * x + y) } }
        let image = GrayImage(width: 64, height: 48, pixels: gradient)
        let again = try JPEG.decode(Self.jpeg(image, quality: 90))
        #expect(Self.maxDifference(again, image) <= 6)
    }

    @Test("EXIF orientation turns the image upright", arguments: Orientation.allCases, [true, false])
    func orientation(_ orientation: Orientation, littleEndian: Bool) throws {
        let data = Self.inserting(Self.exifSegment(orientation: orientation.rawValue, littleEndian: littleEndian),
                                  into: try Self.jpeg())
        #expect(Orientation(exifOf: data) == orientation)
        let decoded = try JPEG.decode(data)
        let swapped = orientation.rawValue >= 5
        #expect(decoded.width == (swapped ? 16 : 24) && decoded.height == (swapped ? 24 : 16))
        // Where the stored image's top-left block (level 10) ends up, written out per orientation.
        let corner: (x: Int, y: Int) = switch orientation {
        case .up, .leftMirrored: (0, 0)
        case .mirrored, .right: (decoded.width - 1, 0)
        case .down, .rightMirrored: (decoded.width - 1, decoded.height - 1)
        case .mirroredDown, .left: (0, decoded.height - 1)
        }
        #expect(abs(Int(decoded[corner.x, corner.y]) - 10) <= 2, "\(orientation): \(decoded[corner.x, corner.y])")
        // And every other pixel is where the turn puts it.
        #expect(Self.maxDifference(decoded, orientation.upright(Self.blocks)) <= 2)
    }

    @Test("a damaged or truncated Exif segment is ignored, never read past its end")
    func damagedExif() throws {
        let plain = try Self.jpeg()
        let segment = Self.exifSegment(orientation: 6, littleEndian: true)
        // Every truncation of the segment, with its length field claiming the full size: the walk stops.
        for cut in 4..<segment.count {
            let data = Data(plain.prefix(2)) + Data(segment.prefix(cut))
            #expect(Orientation(exifOf: data) == .up)
        }
        // Offsets that point anywhere: the IFD offset and the entry count set to every byte value.
        for position in [14, 15, 16, 17, 18, 19, 20, 21] {
            for value in [0, 1, 7, 8, 0x7F, 0xFF] {
                var bad = segment
                bad[position] = UInt8(value)
                _ = Orientation(exifOf: Self.inserting(bad, into: plain))
            }
        }
        // An orientation value outside 1-8 is taken as upright, and the image still decodes.
        let odd = Self.inserting(Self.exifSegment(orientation: 9, littleEndian: false), into: plain)
        #expect(Orientation(exifOf: odd) == .up)
        #expect(try JPEG.decode(odd).width == 24)
    }

    @Test("a truncated JPEG is a clear error, never a grey-filled image or a crash")
    func truncated() throws {
        let data = try Self.jpeg(quality: 90)
        for cut in stride(from: 0, to: data.count - 2, by: 3) {
            #expect(throws: (any Error).self, "cut at \(cut) of \(data.count)") {
                _ = try ImageFile.decode(data.prefix(cut), name: "cut.jpg")
            }
        }
        do {
            _ = try JPEG.decode(data.prefix(data.count / 2), name: "half.jpg")
            Issue.record("half a JPEG decoded")
        } catch {
            #expect(error.kind == .corrupt)
            #expect(error.description.hasPrefix("half.jpg: damaged JPEG: "))
        }
    }

    @Test("damaged JPEG bytes give an error or an image, never a crash")
    func corrupt() throws {
        let data = try Self.jpeg(quality: 75)
        var state: UInt64 = 7
        for _ in 0..<200 {
            var damaged = [UInt8](data)
            for _ in 0..<3 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let at = 2 + Int((state >> 33) % UInt64(damaged.count - 2))
                damaged[at] = UInt8(truncatingIfNeeded: state >> 17)
            }
            if let image = try? JPEG.decode(Data(damaged)) {
                #expect(image.pixels.count == image.width * image.height)
            }
        }
        #expect(throws: JPEGError(kind: .notJPEG, name: "x", detail: "starts with 89 50 4e 47 0d 0a 1a 0a")) {
            try JPEG.decode(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), name: "x")
        }
    }

    @Test("an image whose header claims more than the pixel limit is refused before decoding")
    func overLimit() throws {
        var data = [UInt8](try Self.jpeg())
        // The frame header: FF C0, length, precision, height, width.
        let sof = try #require((2..<(data.count - 9)).first { data[$0] == 0xFF && data[$0 + 1] == 0xC0 })
        for (height, width) in [(5000, 6000), (20000, 30000)] {
            data[sof + 5] = UInt8(height >> 8); data[sof + 6] = UInt8(height & 0xFF)
            data[sof + 7] = UInt8(width >> 8); data[sof + 8] = UInt8(width & 0xFF)
            #expect(try ImageFile.claimedSize(of: Data(data)) == (width, height))
            #expect(throws: ImageError.jpeg(JPEGError(kind: .tooLarge, name: "big.jpg", detail:
                "claims \(width)x\(height) = \(width * height) pixels, over the limit of 25000000"))) {
                try ImageFile.decode(Data(data), name: "big.jpg")
            }
        }
        // A PNG over the limit is refused the same way (the IHDR is read first; the data is never inflated).
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += PNGBuilder.chunk("IHDR", PNGBuilder.ihdr(width: 6000, height: 5000, bitDepth: 8, color: .gray))
        png += PNGBuilder.chunk("IDAT", PNGBuilder.zlibStored([UInt8](repeating: 0, count: 8000)))
        png += PNGBuilder.chunk("IEND", [])
        let error = #expect(throws: ImageError.self) { try ImageFile.decode(Data(png), name: "big.png") }
        #expect(error?.isTooLarge == true)
        #expect(error?.description == "big.png: image too large: claims 6000x5000 = 30000000 pixels, over the limit of 25000000")
    }

    @Test("ImageFile tells PNG from JPEG by their bytes, whatever the file is called")
    func sniffing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jpeg-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let jpegNamedPNG = folder.appendingPathComponent("photo.png")
        try Self.jpeg().write(to: jpegNamedPNG)
        #expect(Self.maxDifference(try ImageFile.read(contentsOf: jpegNamedPNG), Self.blocks) <= 2)
        let png = try PNG.encode(gray: Self.blocks.pixels, width: 24, height: 16)
        #expect(ImageFile.format(of: png) == .png)
        #expect(ImageFile.format(of: try Self.jpeg()) == .jpeg)
        #expect(try ImageFile.decode(png) == Self.blocks)
        #expect(throws: ImageError.unknownFormat(name: "notes.txt", detail: "starts with 68 65 6c 6c 6f")) {
            try ImageFile.decode(Data("hello".utf8), name: "notes.txt")
        }
        #expect(throws: ImageError.unknownFormat(name: "empty.png", detail: "empty file")) {
            try ImageFile.decode(Data(), name: "empty.png")
        }
        let missing = folder.appendingPathComponent("missing.jpg")
        let error = #expect(throws: ImageError.self) { try ImageFile.read(contentsOf: missing) }
        #expect(error?.isUnreadable == true)
    }
}

@Suite("JPEG kinds beyond 8-bit grey and colour: CMYK, 12-bit, lossless")
struct JPEGKindTests {
    /// A CMYK JPEG as Photoshop writes it (inks inverted, 255 for none, with an Adobe marker) decodes to the
    /// luminance of the inks: paper white, black ink dark, and a cyan ink in between.
    @Test("a CMYK JPEG decodes to the luminance of its inks")
    func cmyk() throws {
        let width = 24, height = 16
        var pixels: [UInt8] = []
        for _ in 0..<height {
            for x in 0..<width {
                // Left third paper, middle third full black ink, right third full cyan; stored inverted.
                let ink: [UInt8] = x < 8 ? [0, 0, 0, 0] : x < 16 ? [0, 0, 0, 255] : [255, 0, 0, 0]
                pixels += ink.map { 255 - $0 }
            }
        }
        let data = try JPEG.encode(cmyk: pixels, width: width, height: height)
        #expect(JPEGFrame(scanning: [UInt8](data))?.adobe == true)
        let image = try JPEG.decode(data, name: "cmyk.jpg")
        #expect(image.width == width && image.height == height)
        #expect(abs(Int(image[3, 8]) - 255) <= 3, "paper: \(image[3, 8])")
        #expect(Int(image[11, 8]) <= 3, "black ink: \(image[11, 8])")
        // Cyan takes all the red: 0.587 + 0.114 of the light is left.
        #expect(abs(Int(image[20, 8]) - 179) <= 4, "cyan ink: \(image[20, 8])")
        // Through the one entry point too.
        #expect(try ImageFile.decode(data) == image)
    }

    /// The frame header's marker and precision, rewritten in a baseline JPEG, stand for files libjpeg-turbo's
    /// 8-bit build cannot decode; each is refused by name before decoding.
    @Test("12-bit, lossless and hierarchical JPEGs are refused with what they are", arguments: [
        (UInt8(0xC1), 12, "blocks.jpg: unsupported JPEG: 12-bit samples are not read (only 8-bit); save it as an 8-bit JPEG or a PNG"),
        (UInt8(0xC3), 8, "blocks.jpg: unsupported JPEG: lossless JPEG (8-bit samples) is not read; save it as an 8-bit JPEG or a PNG"),
        (UInt8(0xC3), 16, "blocks.jpg: unsupported JPEG: lossless JPEG (16-bit samples) is not read; save it as an 8-bit JPEG or a PNG"),
        (UInt8(0xC5), 8, "blocks.jpg: unsupported JPEG: hierarchical JPEG is not read; save it as an 8-bit JPEG or a PNG"),
    ])
    func unsupported(marker: UInt8, precision: Int, message: String) throws {
        var data = [UInt8](try JPEGTests.jpeg())
        let sof = try #require((2..<(data.count - 9)).first { data[$0] == 0xFF && data[$0 + 1] == 0xC0 })
        data[sof + 1] = marker
        data[sof + 4] = UInt8(precision)
        let error = #expect(throws: ImageError.self) { try ImageFile.decode(Data(data), name: "blocks.jpg") }
        #expect(error?.description == message)
        #expect(throws: ImageError.self) { try ImageFile.claimedSize(of: Data(data), name: "blocks.jpg") }
        // The same file as it was decodes.
        data[sof + 1] = 0xC0
        data[sof + 4] = 8
        #expect(try ImageFile.decode(Data(data)).width == 24)
    }

    @Test("the frame scan stops at damaged lengths and finds no frame in a truncated header")
    func frameScan() throws {
        let data = [UInt8](try JPEGTests.jpeg())
        #expect(JPEGFrame(scanning: data) == JPEGFrame(marker: 0xC0, precision: 8, adobe: false))
        let sof = try #require((2..<(data.count - 9)).first { data[$0] == 0xFF && data[$0 + 1] == 0xC0 })
        for cut in 0..<(sof + 5) { #expect(JPEGFrame(scanning: Array(data.prefix(cut))) == nil, "cut at \(cut)") }
        var bad = data
        bad[4] = 0xFF; bad[5] = 0xFF   // the first segment's length points past the end
        #expect(JPEGFrame(scanning: bad) == nil)
        // A truncated or corrupt file is still a clear error from the decoder.
        #expect(throws: ImageError.self) { try ImageFile.decode(Data(bad), name: "bad.jpg") }
    }
}
