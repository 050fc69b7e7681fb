import Foundation
import Testing
@testable import Imaging

@Suite("MNIST-style digit preprocessing")
struct DigitPreprocessorTests {
    /// The first image of MNIST's test set (a 7), as it is stored: white ink on black, 28x28.
    static let mnistSeven: [UInt8] = {
        let hex = [
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000000054b99f973c2400000000000000000000000000000000",
        "000000000000defefefefef1c6c6c6c6c6c6c6c6aa3400000000000000000000000043724872a3e3fee1fefefefae5fefe8c000000000000",
        "000000000000000000000011420e4343433b15ecfe6a00000000000000000000000000000000000000000000000053fdd112000000000000",
        "000000000000000000000000000000000016e9ff5300000000000000000000000000000000000000000000000081feee2c00000000000000",
        "000000000000000000000000000000003bf9fe3e00000000000000000000000000000000000000000000000085febb050000000000000000",
        "00000000000000000000000000000009cdf83a0000000000000000000000000000000000000000000000007efeb600000000000000000000",
        "00000000000000000000000000004bfbf039000000000000000000000000000000000000000000000013ddfea60000000000000000000000",
        "00000000000000000000000003cbfedb23000000000000000000000000000000000000000000000026fefe4d000000000000000000000000",
        "00000000000000000000001fe0fe7301000000000000000000000000000000000000000000000085fefe3400000000000000000000000000",
        "000000000000000000003df2fefe34000000000000000000000000000000000000000000000079fefedb2800000000000000000000000000",
        "0000000000000000000079fecf12000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        ].joined()
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }()

    /// Checks what every real digit's result must satisfy: black frame, full-white peak, ink within 20x20,
    /// centre of mass within `tolerance` pixels of (14, 14), where MNIST has it.
    private func expectMNISTForm(_ pixels: [UInt8], tolerance: Double = 1.0,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(pixels.count == 784, sourceLocation: sourceLocation)
        let stats = InkStats(pixels)
        #expect(pixels.max() == 255, sourceLocation: sourceLocation)
        #expect(stats.width <= 20 && stats.height <= 20, "ink \(stats.width)x\(stats.height)", sourceLocation: sourceLocation)
        #expect(max(stats.width, stats.height) >= 19, "ink \(stats.width)x\(stats.height)", sourceLocation: sourceLocation)
        #expect(abs(stats.centreX - 14) <= tolerance && abs(stats.centreY - 14) <= tolerance,
                "centre of mass (\(stats.centreX), \(stats.centreY))", sourceLocation: sourceLocation)
        var frame: [UInt8] = []
        for i in 0..<28 {
            frame += [pixels[i], pixels[27 * 28 + i], pixels[i * 28], pixels[i * 28 + 27]]
        }
        #expect(frame.allSatisfy { $0 == 0 }, "ink on the frame", sourceLocation: sourceLocation)
    }

    @Test("a 28x28 white-on-black MNIST image is used unchanged")
    func mnistUnchanged() throws {
        #expect(Self.mnistSeven.count == 784)
        let (pixels, report) = DigitPreprocessor.process(GrayImage(width: 28, height: 28, pixels: Self.mnistSeven))
        #expect(pixels == Self.mnistSeven)
        #expect(report.unchanged)
        #expect(!report.inverted && report.alphaBackground == nil && report.inkBox == nil)
    }

    @Test("the same MNIST digit as dark ink on white is inverted and recentred to MNIST's form")
    func mnistInverted() {
        let image = GrayImage(width: 28, height: 28, pixels: Self.mnistSeven.map { 255 - $0 })
        let (pixels, report) = DigitPreprocessor.process(image)
        #expect(report.inverted && !report.unchanged)
        expectMNISTForm(pixels)
        // MNIST images were made the same way, so the result stays close to the original.
        let difference = zip(pixels, Self.mnistSeven).map { abs(Int($0) - Int($1)) }.reduce(0, +)
        #expect(Double(difference) / 784 < 20, "mean absolute difference \(Double(difference) / 784)")
    }

    @Test("dark ink on white paper is inverted, cropped, scaled to 20 and centred")
    func inverted() throws {
        var canvas = Canvas(width: 200, height: 160, background: 255)
        canvas.seven(x: 60, y: 20, size: 110, thickness: 12, value: 0)
        let (pixels, report) = DigitPreprocessor.process(canvas.image)
        #expect(report.inverted)
        #expect(report.alphaBackground == nil)
        let box = try #require(report.inkBox)
        #expect(abs(box.y - 14) <= 1 && abs(box.height - 122) <= 2, "\(box)")
        #expect(report.scaledHeight == 20)
        expectMNISTForm(pixels)
    }

    @Test("an off-centre digit gives the same result as a centred one")
    func offCentre() {
        var corner = Canvas(width: 300, height: 300, background: 0)
        corner.seven(x: 10, y: 10, size: 80, thickness: 10, value: 255)
        var centred = Canvas(width: 300, height: 300, background: 0)
        centred.seven(x: 120, y: 110, size: 80, thickness: 10, value: 255)
        let a = DigitPreprocessor.process(corner.image), b = DigitPreprocessor.process(centred.image)
        #expect(a.pixels == b.pixels)
        #expect(!a.report.inverted)
        #expect(a.report.inkBox?.x == 5 && b.report.inkBox?.x == 115)
        expectMNISTForm(a.pixels)
    }

    @Test("a tiny 8x8 digit is enlarged to 20 pixels tall")
    func tiny() {
        var canvas = Canvas(width: 8, height: 8, background: 255)
        canvas.line(4, 2, 4, 6, thickness: 2, value: 0)
        let (pixels, report) = DigitPreprocessor.process(canvas.image)
        #expect(report.inverted)
        #expect(report.inkBox == .init(x: 3, y: 1, width: 2, height: 6))
        #expect(report.scaledHeight == 20 && report.scaledWidth == 7)
        expectMNISTForm(pixels, tolerance: 0.5)
    }

    @Test("a 2000x1500 photo with thin strokes keeps its strokes")
    func huge() {
        var canvas = Canvas(width: 2000, height: 1500, background: 240)
        // A thin "0" drawn as a tall rectangle, 4 pixels wide strokes.
        canvas.line(700, 200, 1400, 200, thickness: 4, value: 20)
        canvas.line(1400, 200, 1400, 1300, thickness: 4, value: 20)
        canvas.line(1400, 1300, 700, 1300, thickness: 4, value: 20)
        canvas.line(700, 1300, 700, 200, thickness: 4, value: 20)
        let (pixels, report) = DigitPreprocessor.process(canvas.image)
        #expect(report.inverted)
        #expect(report.scaledHeight == 20)
        expectMNISTForm(pixels)
        // Every side survives the 55:1 reduction as a visible line: the ring's rows and columns all carry ink.
        let stats = InkStats(pixels)
        for y in stats.minY...stats.maxY {
            #expect(pixels[y * 28 + stats.minX] > 64 && pixels[y * 28 + stats.maxX] > 64, "row \(y)")
        }
        for x in stats.minX...stats.maxX {
            #expect(pixels[stats.minY * 28 + x] > 64 && pixels[stats.maxY * 28 + x] > 64, "column \(x)")
        }
    }

    @Test("dark strokes on a transparent background are composited onto white paper")
    func transparentDark() {
        var strokes = Canvas(width: 120, height: 120, background: 0)
        strokes.seven(x: 30, y: 15, size: 90, thickness: 10, value: 255)
        let alpha = strokes.image.pixels
        // Transparent pixels' colour is meaningless; make it black so ignoring alpha would fail.
        let rgba = GrayImage(width: 120, height: 120, pixels: [UInt8](repeating: 0, count: 120 * 120), alpha: alpha)
        let (pixels, report) = DigitPreprocessor.process(rgba)
        #expect(report.alphaBackground == 255)
        #expect(report.inverted)
        let reference = DigitPreprocessor.process(strokes.image)
        #expect(pixels == reference.pixels)
        expectMNISTForm(pixels)
    }

    @Test("light strokes on a transparent background are composited onto black")
    func transparentLight() {
        var strokes = Canvas(width: 90, height: 90, background: 0)
        strokes.seven(x: 20, y: 10, size: 70, thickness: 8, value: 255)
        let rgba = GrayImage(width: 90, height: 90, pixels: [UInt8](repeating: 255, count: 90 * 90),
                             alpha: strokes.image.pixels)
        let (pixels, report) = DigitPreprocessor.process(rgba)
        #expect(report.alphaBackground == 0)
        #expect(!report.inverted)
        #expect(pixels == DigitPreprocessor.process(strokes.image).pixels)
    }

    @Test("a noisy grey paper is cleared by the threshold")
    func noisy() throws {
        var clean = Canvas(width: 150, height: 150, background: 255)
        clean.seven(x: 40, y: 20, size: 110, thickness: 11, value: 0)
        var noisy = clean
        var noise = NoiseSource(state: 42)
        for i in noisy.image.pixels.indices {
            noisy.image.pixels[i] = noisy.image.pixels[i] == 0 ? UInt8(noise.next(in: 0...60))
                : UInt8(noise.next(in: 150...255))
        }
        let (pixels, report) = DigitPreprocessor.process(noisy.image)
        let threshold = try #require(report.noiseThreshold)
        #expect(threshold >= 60 && threshold <= 150, "threshold \(threshold)")
        expectMNISTForm(pixels)
        let reference = DigitPreprocessor.process(clean.image).pixels
        let difference = Double(zip(pixels, reference).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / 784
        #expect(difference < 12, "mean absolute difference from the clean digit \(difference)")
    }

    @Test("blank images give 784 zeros and say so", arguments: [
        GrayImage(width: 50, height: 40, pixels: [UInt8](repeating: 200, count: 2000)),
        GrayImage(width: 28, height: 28, pixels: [UInt8](repeating: 255, count: 784)),
        // Already in MNIST's form (28x28, dark background) but with nothing drawn: blank, not "used as is".
        GrayImage(width: 28, height: 28, pixels: [UInt8](repeating: 0, count: 784)),
        GrayImage(width: 28, height: 28, pixels: [UInt8](repeating: 12, count: 784)),
        GrayImage(width: 30, height: 30, pixels: [UInt8](repeating: 0, count: 900), alpha: [UInt8](repeating: 0, count: 900)),
        GrayImage(width: 0, height: 0, pixels: []),
    ])
    func blank(image: GrayImage) {
        let (pixels, report) = DigitPreprocessor.process(image)
        #expect(report.blank)
        #expect(pixels == [UInt8](repeating: 0, count: 784))
        #expect(DigitPreprocessor.mnistStyle(image) == pixels)
    }

    @Test("the report encodes as JSON for --json output")
    func reportJSON() throws {
        var canvas = Canvas(width: 40, height: 40, background: 255)
        canvas.line(20, 5, 20, 35, thickness: 4, value: 0)
        let report = DigitPreprocessor.process(canvas.image).report
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        #expect(json.contains("\"inverted\":true"))
        #expect(json.contains("\"inkBox\":{\"height\":34,\"width\":4,\"x\":18,\"y\":3}"), "\(json)")
        #expect(try JSONDecoder().decode(DigitReport.self, from: Data(json.utf8)) == report)
    }
}
