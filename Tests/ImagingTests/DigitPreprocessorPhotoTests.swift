import Testing
@testable import Imaging

/// Photo-like uploads: uneven lighting, sensor noise, specks, JPEG blocks. Each is made from a clean render, and
/// the result must match the clean render's.
@Suite("MNIST-style preprocessing of photo-like images")
struct DigitPreprocessorPhotoTests {
    /// A "7" in black ink on white paper; the photos below are made from it.
    static func cleanSeven() -> Canvas {
        var canvas = Canvas(width: 240, height: 200, background: 255)
        canvas.seven(x: 80, y: 40, size: 120, thickness: 12, value: 0)
        return canvas
    }

    /// `clean` photographed: its paper (255) becomes `paper`, its ink (0) becomes `ink`, both times the lighting
    /// at that pixel, plus `noise(x, y)`.
    static func photo(of clean: Canvas, paper: Double, ink: Double, lighting: (Int, Int) -> Double,
                      noise: (Int, Int) -> Double = { _, _ in 0 }) -> GrayImage {
        var image = clean.image
        for y in 0..<image.height {
            for x in 0..<image.width {
                let reflectance = ink + (paper - ink) * Double(clean.image[x, y]) / 255
                let value = reflectance * lighting(x, y) + noise(x, y)
                image[x, y] = UInt8(max(0, min(255, value.rounded())))
            }
        }
        return image
    }

    static func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        Double(zip(a, b).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(a.count)
    }

    @Test("a digit under a strong lighting gradient matches the evenly lit one")
    func gradient() throws {
        let clean = Self.cleanSeven()
        let reference = DigitPreprocessor.process(clean.image)
        // Bright on the left, the right side at 45% of it: the shaded paper (about 108) is darker than half the
        // scale, which one global threshold takes for ink.
        let image = Self.photo(of: clean, paper: 240, ink: 30, lighting: { x, _ in 1 - 0.55 * Double(x) / 239 })
        let (pixels, report) = DigitPreprocessor.process(image)
        #expect(report.backgroundFlattened && report.inverted)
        let box = try #require(report.inkBox), expected = try #require(reference.report.inkBox)
        #expect(abs(box.x - expected.x) <= 1 && abs(box.y - expected.y) <= 1, "\(box) against \(expected)")
        #expect(abs(box.width - expected.width) <= 2 && abs(box.height - expected.height) <= 2,
                "\(box) against \(expected)")
        let difference = Self.meanAbsoluteDifference(pixels, reference.pixels)
        #expect(difference < 4, "mean absolute difference from the evenly lit digit \(difference)")
    }

    @Test("light chalk on a dark board under a gradient matches the clean render")
    func boardGradient() throws {
        var clean = Canvas(width: 200, height: 240, background: 0)
        clean.seven(x: 60, y: 50, size: 130, thickness: 14, value: 255)
        let reference = DigitPreprocessor.process(clean.image).pixels
        let image = Self.photo(of: clean, paper: 230, ink: 60, lighting: { _, y in 0.5 + 0.5 * Double(y) / 239 })
        let (pixels, report) = DigitPreprocessor.process(image)
        #expect(report.backgroundFlattened && !report.inverted)
        let box = try #require(report.inkBox), expected = try #require(DigitPreprocessor.process(clean.image).report.inkBox)
        #expect(abs(box.x - expected.x) <= 1 && abs(box.y - expected.y) <= 1, "\(box) against \(expected)")
        #expect(abs(box.width - expected.width) <= 2 && abs(box.height - expected.height) <= 2,
                "\(box) against \(expected)")
        // Light ink is measured as its excess over the board, so the shaded end of the stroke comes out up to half
        // as bright: close to the clean render, not equal to it.
        let difference = Self.meanAbsoluteDifference(pixels, reference)
        #expect(difference < 6, "mean absolute difference from the clean digit \(difference)")
    }

    @Test("salt noise far from the digit neither moves its box nor changes the result")
    func saltNoise() throws {
        let clean = Self.cleanSeven()
        let reference = DigitPreprocessor.process(clean.image)
        var noisy = clean
        var random = NoiseSource(state: 7)
        // 300 dark specks of one to four pixels in the margins, away from the 7 (x 74..170, y 34..166).
        var placed = 0
        while placed < 300 {
            let x = random.next(in: 0...237), y = random.next(in: 0...197)
            guard x < 60 || x > 190 || y < 20 || y > 180 else { continue }
            let size = random.next(in: 1...2)
            for dy in 0..<size { for dx in 0..<size { noisy.image[x + dx, y + dy] = UInt8(random.next(in: 0...40)) } }
            placed += 1
        }
        let (pixels, report) = DigitPreprocessor.process(noisy.image)
        #expect(report.specksRemoved > 100, "\(report.specksRemoved) specks removed")
        #expect(report.inkBox == reference.report.inkBox)
        #expect(pixels == reference.pixels)
    }

    @Test("JPEG-like blocks and sensor noise on a lit photo are cleared")
    func blockyNoise() throws {
        let clean = Self.cleanSeven()
        let reference = DigitPreprocessor.process(clean.image)
        // Every 8x8 block gets its own level and tilt (a JPEG's quantised low frequencies), every pixel its own
        // noise; the lighting falls off towards the bottom right.
        var random = NoiseSource(state: 2024)
        let blocks = (0..<(30 * 25)).map { _ in
            (Double(random.next(in: -12...12)), Double(random.next(in: -3...3)), Double(random.next(in: -3...3)))
        }
        var pixelNoise = NoiseSource(state: 99)
        let image = Self.photo(
            of: clean, paper: 235, ink: 40,
            lighting: { x, y in 1 - 0.3 * Double(x + y) / 438 },
            noise: { x, y in
                let (level, tiltX, tiltY) = blocks[(y / 8) * 30 + x / 8]
                return level + tiltX * Double(x % 8 - 4) / 4 + tiltY * Double(y % 8 - 4) / 4
                    + Double(pixelNoise.next(in: -10...10))
            })
        let (pixels, report) = DigitPreprocessor.process(image)
        let box = try #require(report.inkBox), expected = try #require(reference.report.inkBox)
        #expect(abs(box.x - expected.x) <= 3 && abs(box.y - expected.y) <= 3, "\(box) against \(expected)")
        #expect(abs(box.width - expected.width) <= 4 && abs(box.height - expected.height) <= 4,
                "\(box) against \(expected)")
        let stats = InkStats(pixels), cleanStats = InkStats(reference.pixels)
        #expect(abs(stats.centreX - cleanStats.centreX) <= 0.5 && abs(stats.centreY - cleanStats.centreY) <= 0.5,
                "centre (\(stats.centreX), \(stats.centreY)) against (\(cleanStats.centreX), \(cleanStats.centreY))")
        let difference = Self.meanAbsoluteDifference(pixels, reference.pixels)
        #expect(difference < 12, "mean absolute difference from the clean digit \(difference)")
    }

    @Test("the paper estimate follows a lighting gradient and ignores the strokes")
    func paperEstimate() {
        let clean = Self.cleanSeven()
        let light: (Int, Int) -> Double = { x, y in 0.5 + 0.5 * Double(x + y) / 438 }
        let image = Self.photo(of: clean, paper: 240, ink: 20, lighting: light)
        let background = PaperBackground.estimate(image.pixels, width: image.width, height: image.height)
        // Within 8 levels of the true paper at every pixel at least one grid cell from the edges, strokes included
        // (the window's median is exact on a linear ramp only where the window is whole).
        var worst = 0.0
        for y in 8..<(image.height - 8) {
            for x in 8..<(image.width - 8) {
                worst = max(worst, abs(Double(background[y * image.width + x]) - 240 * light(x, y)))
            }
        }
        #expect(worst <= 8, "largest error \(worst)")
    }

    @Test("pieces with far less ink than the largest are cleared; pieces of one digit are kept")
    func components() {
        // A 20x20 block (the digit), a 6x6 block apart from it (a 5's flag: 9% of the ink) and three single
        // pixels, one touching the big block diagonally.
        let width = 40, height = 30
        var ink = [UInt8](repeating: 0, count: width * height)
        for y in 5..<25 { for x in 5..<25 { ink[y * width + x] = 200 } }
        for y in 2..<8 { for x in 30..<36 { ink[y * width + x] = 200 } }
        for (x, y) in [(38, 28), (0, 0), (25, 25)] { ink[y * width + x] = 255 }
        ink[1 * width + 1] = 10  // below the threshold
        let dropped = InkComponents.clean(&ink, threshold: 20, width: width, height: height)
        #expect(dropped == 2)
        #expect(ink[28 * width + 38] == 0 && ink[0] == 0 && ink[1 * width + 1] == 0)
        #expect(ink[25 * width + 25] == 255 && ink[2 * width + 30] == 200 && ink[5 * width + 5] == 200)
        #expect(ink.filter { $0 > 0 }.count == 400 + 36 + 1)
    }
}
