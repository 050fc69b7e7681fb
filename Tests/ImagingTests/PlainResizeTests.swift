import Testing
@testable import Imaging

@Suite("Plain resize (the baseline without MNIST-style preprocessing)")
struct PlainResizeTests {
    @Test("a 28x28 image comes back unchanged, even dark ink on white paper")
    func identityAt28() {
        var canvas = Canvas(width: 28, height: 28, background: 255)
        canvas.seven(x: 3, y: 2, size: 12, thickness: 2, value: 0)
        let pixels = DigitPreprocessor.plainResize(canvas.image)
        #expect(pixels == canvas.image.pixels)
    }

    @Test("nothing is inverted: white paper stays white, dark ink stays dark")
    func noInversion() {
        var canvas = Canvas(width: 280, height: 280, background: 255)
        canvas.line(0, 140, 280, 140, thickness: 30, value: 0)
        let pixels = DigitPreprocessor.plainResize(canvas.image)
        #expect(pixels.count == 784)
        #expect(pixels[0] == 255 && pixels[27 * 28 + 27] == 255)
        // Row 14 covers source rows 140..<150, all inside the 30-pixel bar centred on 140.
        #expect(pixels[14 * 28 + 14] == 0)
    }

    @Test("nothing is cropped or centred: a digit in a corner stays in that corner")
    func noCroppingOrCentring() {
        var canvas = Canvas(width: 112, height: 112, background: 0)
        canvas.seven(x: 4, y: 4, size: 40, thickness: 6, value: 255)
        let stats = InkStats(DigitPreprocessor.plainResize(canvas.image))
        // The 7 spans about 28x40 source pixels at (4, 4): about 7x10 pixels at (1, 1) after dividing by 4.
        #expect(stats.minX <= 2 && stats.minY <= 2)
        #expect(stats.maxX <= 10 && stats.maxY <= 12)
        #expect(stats.centreX < 8 && stats.centreY < 8, "centre of mass (\(stats.centreX), \(stats.centreY))")
    }

    @Test("shrinking averages the area under each output pixel")
    func areaAverage() {
        // 56x56 of 2x2 blocks: each block holds 0, 100, 200 and 60, whose mean is 90.
        var values: [UInt8] = []
        for y in 0..<56 {
            for x in 0..<56 {
                values.append([[0, 100], [200, 60]][y % 2][x % 2])
            }
        }
        let pixels = DigitPreprocessor.plainResize(GrayImage(width: 56, height: 56, pixels: values))
        #expect(pixels.allSatisfy { abs(Int($0) - 90) <= 1 }, "\(Set(pixels).sorted())")
    }

    @Test("a small image is enlarged by linear interpolation, keeping its range")
    func enlarge() {
        // Left half black, right half white, 4x4: the result ramps from black to white across the middle.
        let values: [UInt8] = (0..<16).map { ($0 % 4) < 2 ? 0 : 255 }
        let pixels = DigitPreprocessor.plainResize(GrayImage(width: 4, height: 4, pixels: values))
        for y in 0..<28 {
            let row = Array(pixels[(y * 28)..<((y + 1) * 28)])
            #expect(row.first == 0 && row.last == 255)
            #expect(zip(row, row.dropFirst()).allSatisfy { $0 <= $1 }, "row \(y) is not monotonic: \(row)")
        }
    }

    @Test("transparency is ignored: the stored luminance is resized as it is")
    func alphaIgnored() {
        let image = GrayImage(width: 56, height: 56, pixels: [UInt8](repeating: 40, count: 56 * 56),
                              alpha: [UInt8](repeating: 0, count: 56 * 56))
        #expect(DigitPreprocessor.plainResize(image) == [UInt8](repeating: 40, count: 784))
    }

    @Test("an empty image gives 784 zeros")
    func empty() {
        let pixels = DigitPreprocessor.plainResize(GrayImage(width: 0, height: 0, pixels: []))
        #expect(pixels == [UInt8](repeating: 0, count: 784))
    }
}
