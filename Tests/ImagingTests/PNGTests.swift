import Foundation
import Testing
@testable import Imaging

#if canImport(Glibc)
import Glibc
#endif

@Suite("PNG decode and encode")
struct PNGTests {
    /// A deterministic gradient with some texture.
    static func pattern(width: Int, height: Int) -> [UInt8] {
        (0..<(width * height)).map { UInt8(($0 % width * 255 / max(1, width - 1) + $0 / width * 37) % 256) }
    }

    @Test("grayscale encode then decode gives the same pixels", arguments: [(1, 1), (28, 28), (37, 5), (300, 200)])
    func roundTrip(width: Int, height: Int) throws {
        let pixels = Self.pattern(width: width, height: height)
        let data = try PNG.encode(gray: pixels, width: width, height: height)
        let image = try PNG.decode(data)
        #expect(image == GrayImage(width: width, height: height, pixels: pixels))
    }

    @Test("write then read a file; a missing file is unreadable with its path")
    func files() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-png-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: url) }
        let image = GrayImage(width: 9, height: 4, pixels: Self.pattern(width: 9, height: 4))
        try PNG.write(image, to: url)
        #expect(try PNG.read(contentsOf: url) == image)
        let missing = url.appendingPathExtension("absent")
        #expect(throws: PNGError(kind: .unreadable, name: missing.path, detail: "no such file")) {
            try PNG.read(contentsOf: missing)
        }
    }

    /// Gray samples 0...max at depth `bits`: every value maps to round(v * 255 / max).
    @Test("gray at every bit depth", arguments: [1, 2, 4, 8, 16])
    func grayDepths(bits: Int) throws {
        let maxValue = (1 << bits) - 1
        let values = bits == 16 ? [0, 0x0101, 0x8080, 0xC0C0, 0xFFFF, 0x1234] : Array(0...maxValue)
        let width = values.count
        let png = PNGBuilder.png(width: width, height: 2, bitDepth: bits, color: .gray, samples: values + values.reversed())
        let image = try PNG.decode(Data(png))
        #expect(image.width == width && image.height == 2 && image.alpha == nil)
        let expected = (values + values.reversed()).map { Int((Double($0) * 255 / Double(maxValue)).rounded()) }
        for (got, want) in zip(image.pixels, expected) {
            #expect(abs(Int(got) - want) <= 1, "depth \(bits): got \(got), want \(want)")
        }
    }

    @Test("RGB and RGBA at 8 and 16 bits: neutral colours keep their level, alpha is kept", arguments: [8, 16])
    func colour(bits: Int) throws {
        let scale = bits == 16 ? 257 : 1
        let levels = [0, 64, 128, 200, 255]
        let rgb = levels.flatMap { [$0 * scale, $0 * scale, $0 * scale] }
        let plain = try PNG.decode(Data(PNGBuilder.png(width: 5, height: 1, bitDepth: bits, color: .rgb, samples: rgb)))
        #expect(plain.alpha == nil)
        for (got, want) in zip(plain.pixels, levels) { #expect(abs(Int(got) - want) <= 1, "rgb\(bits) \(got) vs \(want)") }

        let alphas = [255, 128, 255, 10, 255]
        let rgba = zip(levels, alphas).flatMap { [$0 * scale, $0 * scale, $0 * scale, $1 * scale] }
        let translucent = try PNG.decode(Data(PNGBuilder.png(width: 5, height: 1, bitDepth: bits, color: .rgba, samples: rgba)))
        let alpha = try #require(translucent.alpha)
        for (got, want) in zip(alpha, alphas) { #expect(abs(Int(got) - want) <= 1) }
        // Fully opaque pixels keep their level exactly enough to read a digit from.
        for i in [0, 2, 4] { #expect(abs(Int(translucent.pixels[i]) - levels[i]) <= 1) }
    }

    @Test("pure colours become their luminance: green brightest, blue darkest")
    func luminance() throws {
        let samples = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]
        let image = try PNG.decode(Data(PNGBuilder.png(width: 4, height: 1, bitDepth: 8, color: .rgb, samples: samples)))
        let (red, green, blue, white) = (image.pixels[0], image.pixels[1], image.pixels[2], image.pixels[3])
        #expect(green > red && red > blue)
        #expect(white == 255)
        // sRGB luminance of pure green is 0.7152 linear, about 220 once encoded; allow libpng's rounding.
        #expect(abs(Int(green) - 220) <= 3, "green \(green)")
    }

    @Test("gray+alpha at 8 and 16 bits", arguments: [8, 16])
    func grayAlpha(bits: Int) throws {
        let scale = bits == 16 ? 257 : 1
        let pairs = [(0, 255), (255, 255), (128, 255), (30, 128), (250, 1)]
        let samples = pairs.flatMap { [$0.0 * scale, $0.1 * scale] }
        let image = try PNG.decode(Data(PNGBuilder.png(width: 5, height: 1, bitDepth: bits, color: .grayAlpha, samples: samples)))
        let alpha = try #require(image.alpha)
        #expect(alpha.map(Int.init) == pairs.map(\.1))
        for i in 0..<3 { #expect(abs(Int(image.pixels[i]) - pairs[i].0) <= 1) }
    }

    @Test("palette images at every bit depth, with and without tRNS", arguments: [1, 2, 4, 8])
    func palette(bits: Int) throws {
        let entries = min(1 << bits, 16)
        let levels = (0..<entries).map { $0 * 255 / (entries - 1) }
        let palette = levels.flatMap { [UInt8($0), UInt8($0), UInt8($0)] }
        let indices = (0..<entries).reversed().map { $0 }
        let plain = try PNG.decode(Data(PNGBuilder.png(width: entries, height: 1, bitDepth: bits, color: .palette,
                                                       samples: indices, palette: palette)))
        #expect(plain.alpha == nil)
        #expect(plain.pixels.map(Int.init) == indices.map { levels[$0] })

        let transparency = (0..<entries).map { UInt8($0 == 0 ? 0 : 255) }
        let keyed = try PNG.decode(Data(PNGBuilder.png(width: entries, height: 1, bitDepth: bits, color: .palette,
                                                       samples: indices, palette: palette, transparency: transparency)))
        let alpha = try #require(keyed.alpha)
        #expect(alpha.map(Int.init) == indices.map { $0 == 0 ? 0 : 255 })
    }

    @Test("not a PNG: empty file, JPEG header, text")
    func notPNG() {
        #expect(throws: PNGError(kind: .notPNG, name: "image", detail: "empty file")) { try PNG.decode(Data()) }
        #expect(throws: PNGError(kind: .notPNG, name: "x.jpg", detail: "starts with ff d8 ff e0 00 10 4a 46")) {
            try PNG.decode(Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00]), name: "x.jpg")
        }
        #expect(throws: PNGError.self) { try PNG.decode(Data("hello".utf8)) }
    }

    @Test("a huge claimed size is refused before allocating")
    func hugeClaim() throws {
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += PNGBuilder.chunk("IHDR", PNGBuilder.ihdr(width: 100_000, height: 100_000, bitDepth: 8, color: .gray))
        file += PNGBuilder.chunk("IDAT", PNGBuilder.zlibStored([0, 0, 0, 0]))
        file += PNGBuilder.chunk("IEND", [])
        do {
            _ = try PNG.decode(Data(file), name: "bomb.png")
            Issue.record("a 100000x100000 claim in \(file.count) bytes was accepted")
        } catch {
            #expect(error.kind == .corrupt)
            #expect(error.description.hasPrefix("bomb.png: damaged PNG: claims 100000x100000 pixels, more than a \(file.count)-byte PNG can hold"))
        }
    }

    @Test("a file cut anywhere is an error (or, past the image data, the same image); never a crash")
    func truncated() throws {
        let pixels = Self.pattern(width: 40, height: 30)
        let data = try PNG.encode(gray: pixels, width: 40, height: 30)
        let original = GrayImage(width: 40, height: 30, pixels: pixels)
        let iend = data.count - 12
        var failures = 0
        for cut in 0..<data.count {
            do {
                let image = try PNG.decode(data.prefix(cut))
                #expect(cut >= iend, "cut at \(cut) of \(data.count) decoded")
                #expect(image == original)
            } catch {
                failures += 1
                #expect(error.kind == (cut < 8 ? .notPNG : .corrupt), "cut at \(cut): \(error)")
            }
        }
        #expect(failures >= iend)
    }

    @Test("a flipped byte anywhere is an error or the image at its true size; never a crash")
    func flipped() throws {
        let pixels = Self.pattern(width: 20, height: 12)
        let data = try PNG.encode(gray: pixels, width: 20, height: 12)
        var errors = 0
        for index in 0..<data.count {
            var damaged = data
            damaged[index] ^= 0x5A
            do {
                let image = try PNG.decode(damaged)
                // CRCs protect the header, so whatever decodes has the original size.
                #expect(image.width == 20 && image.height == 12, "flip at \(index)")
            } catch {
                errors += 1
            }
        }
        #expect(errors > data.count / 2)
    }
}

/// Issue 10 part 12: an image path that is not a regular file says what it is, and a FIFO never blocks.
@Suite("PNG files that are not regular files")
struct PNGFileKindTests {
    @Test("a directory as an image says 'is a directory'")
    func directory() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-png-dir-\(UUID().uuidString).png")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: PNGError(kind: .unreadable, name: url.path, detail: "is a directory, not a regular file")) {
            try PNG.read(contentsOf: url)
        }
    }

    @Test("a FIFO as an image is refused at once")
    func fifo() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-png-fifo-\(UUID().uuidString).png")
        #expect(mkfifo(url.path, 0o644) == 0)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: PNGError.self) { try PNG.readBytes(of: url) }
        #expect(error?.description == "\(url.path): cannot read: is a FIFO (named pipe), not a regular file")
    }
}
