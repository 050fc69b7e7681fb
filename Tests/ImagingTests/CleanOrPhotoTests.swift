import Testing
@testable import Imaging

/// The decision that comes before everything else: is the paper one flat level (a scan, a canvas, a crop of one,
/// however it was resized), or a photo whose lighting must be flattened? A crop stretched sideways smears its
/// strokes' edges far across the paper, smoothly; a photo's grain and shading lie everywhere, at random, and even
/// without grain its lighting follows one smooth trend across the page.
@Suite("Clean paper or photo")
struct CleanOrPhotoTests {
    /// A "1" (one slanted stroke, white on black, antialiased), cropped to its ink and stretched to `side`
    /// square, as a user resizing a tight crop to a square makes it: its width grows many times, its edges with it.
    static func stretchedOne(side: Int) -> GrayImage {
        var big = Canvas(width: 112, height: 112, background: 0)
        big.line(62, 16, 50, 96, thickness: 10, value: 255)
        let reduced = Resampler.resize(big.image.pixels.map(Float.init), width: 112, height: 112, toWidth: 28, toHeight: 28)
        let small = GrayImage(width: 28, height: 28, pixels: reduced.map { UInt8(max(0, min(255, $0.rounded()))) })
        var box = (minX: 27, minY: 27, maxX: 0, maxY: 0)
        for y in 0..<28 {
            for x in 0..<28 where small[x, y] > 0 {
                box = (min(box.minX, x), min(box.minY, y), max(box.maxX, x), max(box.maxY, y))
            }
        }
        let width = box.maxX - box.minX + 1, height = box.maxY - box.minY + 1
        var crop: [Float] = []
        for y in box.minY...box.maxY {
            for x in box.minX...box.maxX { crop.append(Float(small[x, y])) }
        }
        let stretched = Resampler.resize(crop, width: width, height: height, toWidth: side, toHeight: side)
        return GrayImage(width: side, height: side, pixels: stretched.map { UInt8(max(0, min(255, $0.rounded()))) })
    }

    /// `image` photographed: dark on lit paper (the light falling off by `shade` across it) with grain.
    static func photographed(_ image: GrayImage, shade: Double, grain: Int) -> GrayImage {
        var noise = NoiseSource(state: 7)
        var out = image
        for y in 0..<image.height {
            for x in 0..<image.width {
                let light = 235 * (1 - shade * Double(x + y) / Double(image.width + image.height))
                let value = light * (1 - 0.8 * Double(image[x, y]) / 255) + Double(noise.next(in: -grain...grain))
                out[x, y] = UInt8(max(0, min(255, value.rounded())))
            }
        }
        return out
    }

    @Test("a tight crop stretched sideways is clean paper, however far its edges are smeared")
    func stretchedCropIsClean() {
        for side in [56, 84, 140] {
            let image = Self.stretchedOne(side: side)
            let oriented = image.pixels
            #expect(PaperBackground.uniformLevel(oriented, width: side, height: side) == 0, "\(side)x\(side)")
            let report = DigitPreprocessor.process(image).report
            #expect(report.flatPaper == 0 && !report.backgroundFlattened, "\(side)x\(side): \(report)")
            #expect(report.narrowed != nil, "\(side)x\(side): the stretched stroke is narrowed: \(report)")
            let trend = PaperBackground.lightingTrend(oriented, width: side, height: side,
                                                      paperUpTo: Int(DigitPreprocessor.otsuThreshold(oriented)))
            #expect(trend < PaperBackground.trendFraction, "\(side)x\(side): the smear is no lighting trend: \(trend)")
        }
    }

    @Test("a noise-free page under a lighting gradient is a photo, though its paper falls steadily from its shaded side")
    func noiseFreeGradientIsPhoto() {
        let clean = DigitPreprocessorPhotoTests.cleanSeven()
        // Strong shading (the first four) darkens the shaded side past Otsu's threshold, and the paper falls
        // steadily from it across the whole page; gentle shading leaves paper off the level far from the strokes.
        let lightings: [(String, (Int, Int) -> Double)] = [
            ("left to right, 55%", { x, _ in 1 - 0.55 * Double(x) / 239 }),
            ("left to right, 65%", { x, _ in 1 - 0.65 * Double(x) / 239 }),
            ("right to left, 55%", { x, _ in 0.45 + 0.55 * Double(x) / 239 }),
            ("bottom to top, 60%", { _, y in 0.4 + 0.6 * Double(y) / 199 }),
            ("diagonal, 40%", { x, y in 1 - 0.4 * Double(x + y) / 438 }),
            ("left to right, 15%", { x, _ in 1 - 0.15 * Double(x) / 239 }),
        ]
        for (name, lighting) in lightings {
            let image = DigitPreprocessorPhotoTests.photo(of: clean, paper: 240, ink: 30, lighting: lighting)
            let oriented = image.pixels.map { 255 - $0 }
            let trend = PaperBackground.lightingTrend(oriented, width: image.width, height: image.height,
                                                      paperUpTo: Int(DigitPreprocessor.otsuThreshold(oriented)))
            #expect(trend >= PaperBackground.trendFraction, "\(name): a plane follows the lighting: \(trend)")
            #expect(PaperBackground.uniformLevel(oriented, width: image.width, height: image.height) == nil, "\(name)")
            let report = DigitPreprocessor.process(image).report
            #expect(report.backgroundFlattened && report.flatPaper == nil, "\(name): \(report)")
        }
    }

    @Test("a plane explains all of a linear ramp and none of a ridge")
    func planeFit() {
        let ramp = (0..<20).flatMap { _ in (0..<30).map { UInt8(10 + 3 * $0) } }
        #expect(abs(PaperBackground.lightingTrend(ramp, width: 30, height: 20, paperUpTo: 255) - 1) < 1e-9)
        // Rising towards a stroke in the middle from both sides: the plane through it is flat.
        let ridge = (0..<20).flatMap { _ in (0..<31).map { UInt8(100 - 6 * abs($0 - 15)) } }
        #expect(PaperBackground.lightingTrend(ridge, width: 31, height: 20, paperUpTo: 255) < 1e-9)
        #expect(PaperBackground.lightingTrend([UInt8](repeating: 7, count: 600), width: 30, height: 20, paperUpTo: 255) == 0)
    }

    @Test("the same crop photographed (lighting falling off, grain) is a photo")
    func stretchedCropPhotographedIsPhoto() {
        for (shade, grain) in [(0.4, 8), (0.1, 4), (0.0, 6)] {
            let image = Self.photographed(Self.stretchedOne(side: 140), shade: shade, grain: grain)
            let oriented = image.pixels.map { 255 - $0 }
            #expect(PaperBackground.uniformLevel(oriented, width: image.width, height: image.height) == nil,
                    "shade \(shade), grain \(grain)")
            let report = DigitPreprocessor.process(image).report
            #expect(report.backgroundFlattened && report.flatPaper == nil, "shade \(shade), grain \(grain): \(report)")
        }
    }

    @Test("a steady fall from the ink counts only where it never rises")
    func descent() {
        // One bright pixel; to its right a falling ramp, then a bump that rises again.
        let row: [UInt8] = [0, 200, 90, 60, 30, 50, 20, 0]
        let reached = PaperBackground.descentFromInk(row, width: row.count, height: 1, above: 2, ink: 100)
        #expect(reached == [false, true, true, true, true, false, false, false])
    }
}
