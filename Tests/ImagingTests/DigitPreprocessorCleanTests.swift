import Testing
@testable import Imaging

/// Clean uploads (scans, canvas drawings, tight crops): one flat paper level, nothing to flatten and no specks.
/// Their result must be the same digit as when it sits with a wide margin on a large page.
@Suite("MNIST-style preprocessing of clean images")
struct DigitPreprocessorCleanTests {
    /// A "7" drawn at 4x resolution and reduced, so its edges are antialiased as a canvas draws them; `margin`
    /// is the space around the digit's box, in pixels of the result.
    static func antialiasedSeven(size: Double, margin: Double, thickness: Double, ink: UInt8, paper: UInt8) -> GrayImage {
        let width = Int(size * 0.7 + thickness + 2 * margin), height = Int(size + thickness + 2 * margin)
        var big = Canvas(width: 4 * width, height: 4 * height, background: paper)
        big.seven(x: 4 * (margin + thickness / 2), y: 4 * (margin + thickness / 2), size: 4 * size, thickness: 4 * thickness, value: ink)
        let reduced = Resampler.resize(big.image.pixels.map(Float.init), width: 4 * width, height: 4 * height,
                                       toWidth: width, toHeight: height)
        return GrayImage(width: width, height: height, pixels: reduced.map { UInt8(max(0, min(255, $0.rounded()))) })
    }

    static func correlation(_ a: [UInt8], _ b: [UInt8]) -> Double {
        UploadVariantTests.correlation(a, b)
    }

    /// The same seven with plenty of paper around it: what every clean delivery should come out as.
    static let reference = DigitPreprocessor.process(antialiasedSeven(size: 120, margin: 60, thickness: 14, ink: 0, paper: 255))

    @Test("a clean page is taken as flat paper, not flattened, no specks cleared")
    func referenceIsClean() {
        #expect(Self.reference.report.flatPaper == 0)
        #expect(!Self.reference.report.backgroundFlattened && Self.reference.report.specksRemoved == 0)
        #expect(Self.reference.pixels.max() == 255)
    }

    /// The deliveries by name (names alone as test arguments: a test log shows arguments, and an image's pixels
    /// would fill it).
    static let deliveries: [String: GrayImage] = [
        "filling its frame, dark on white": antialiasedSeven(size: 120, margin: 0, thickness: 14, ink: 0, paper: 255),
        "a small scan, 1 pixel margin": antialiasedSeven(size: 30, margin: 1, thickness: 3.5, ink: 20, paper: 235),
        "a tight crop, white on black": antialiasedSeven(size: 60, margin: 0, thickness: 7, ink: 255, paper: 0),
        "white on black, large": antialiasedSeven(size: 300, margin: 150, thickness: 35, ink: 250, paper: 5),
        "a canvas drawing, grey paper": antialiasedSeven(size: 200, margin: 40, thickness: 24, ink: 30, paper: 200),
    ]

    @Test("clean deliveries of the same digit give the same 28x28", arguments: deliveries.keys.sorted())
    func sameDigit(_ name: String) throws {
        let image = try #require(Self.deliveries[name])
        let (pixels, report) = DigitPreprocessor.process(image)
        #expect(report.flatPaper != nil && !report.backgroundFlattened && report.specksRemoved == 0, "\(name): \(report)")
        let correlation = Self.correlation(pixels, Self.reference.pixels)
        #expect(correlation > 0.95, "\(name): correlation \(correlation) with the reference")
        let stats = InkStats(pixels)
        #expect(max(stats.width, stats.height) >= 19 && max(stats.width, stats.height) <= 20, "\(name): ink \(stats.width)x\(stats.height)")
    }

    @Test("a digit filling its frame keeps its strokes (no paper estimate eats them)")
    func fillingFrameKeepsInk() {
        let tight = DigitPreprocessor.process(Self.antialiasedSeven(size: 40, margin: 0, thickness: 12, ink: 0, paper: 255))
        let ink = tight.pixels.reduce(0) { $0 + Int($1) }, reference = Self.reference.pixels.reduce(0) { $0 + Int($1) }
        // Thicker relative strokes give more ink, never much less.
        #expect(Double(ink) > 0.9 * Double(reference), "ink \(ink) against \(reference)")
    }
}
