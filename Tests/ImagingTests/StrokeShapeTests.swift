import Foundation
import Testing
@testable import Imaging

/// The two shape repairs: a stretched single stroke narrowed back to a pen's width, and strokes drawn as their
/// outline filled, each without touching the shapes digits really have.
@Suite("Stretched strokes and hollow strokes")
struct StrokeShapeTests {
    /// Ink values (0...1) of a canvas drawn white on black.
    static func ink(_ canvas: Canvas) -> [Float] { canvas.image.pixels.map { Float($0) / 255 } }

    @Test("a 1 stretched to a square is narrowed back to a pen's width")
    func stretchedOne() {
        // A 1 cropped to its ink (4x20) and stretched to 56x56: a slab 56 wide, slightly slanted.
        var canvas = Canvas(width: 56, height: 56, background: 0)
        canvas.line(30, 0, 26, 56, thickness: 48, value: 255)
        let narrowing = StrokeAspect.narrowing(Self.ink(canvas), width: 56, height: 56)
        #expect(narrowing > 4 && narrowing < 8, "\(narrowing)")
        // Through the preprocessor, as dark ink on white: a narrow upright stroke in the 28x28.
        let upload = GrayImage(width: 56, height: 56, pixels: canvas.image.pixels.map { 255 - $0 })
        let (pixels, report) = DigitPreprocessor.process(upload)
        #expect(report.narrowed != nil)
        #expect(report.scaledHeight == 20 && (report.scaledWidth ?? 99) <= 5, "\(String(describing: report.scaledWidth))")
        #expect(pixels.count == 784)
    }

    @Test("digits whose aspect is their own keep it")
    func keptAspect() {
        // A real 1: thin and tall.
        var one = Canvas(width: 14, height: 56, background: 0)
        one.line(8, 2, 6, 54, thickness: 7, value: 255)
        #expect(StrokeAspect.narrowing(Self.ink(one), width: 14, height: 56) == 1)
        // A 0 drawn with a thick marker: two strokes on most rows.
        var zero = Canvas(width: 56, height: 56, background: 0)
        for step in 0..<72 {
            let a = Double(step) / 72 * 2 * .pi, b = Double(step + 1) / 72 * 2 * .pi
            zero.line(28 + 20 * cos(a), 28 + 22 * sin(a), 28 + 20 * cos(b), 28 + 22 * sin(b), thickness: 14, value: 255)
        }
        #expect(StrokeAspect.narrowing(Self.ink(zero), width: 56, height: 56) == 1)
        // A thick 7: the bar is far wider than the stem, so the widths are not steady.
        var seven = Canvas(width: 56, height: 56, background: 0)
        seven.seven(x: 4, y: 6, size: 46, thickness: 14, value: 255)
        #expect(StrokeAspect.narrowing(Self.ink(seven), width: 56, height: 56) == 1)
        // A thin stroke as wide as tall (a slanted 1 at 45 degrees): a pen's width across.
        var slant = Canvas(width: 56, height: 56, background: 0)
        slant.line(52, 2, 4, 54, thickness: 6, value: 255)
        #expect(StrokeAspect.narrowing(Self.ink(slant), width: 56, height: 56) == 1)
    }

    @Test("the inside of an outlined stroke is filled, a digit's own holes are not")
    func hollow() {
        // An outlined 1: a bar 12 wide, 60 tall, drawn as its 2-pixel outline.
        var one = Canvas(width: 40, height: 80, background: 0)
        one.line(20, 10, 20, 70, thickness: 14, value: 255)
        one.line(20, 10, 20, 70, thickness: 10, value: 0)
        var ink = Self.ink(one)
        #expect(HollowStrokes.fill(&ink, width: 40, height: 80) == 1)
        #expect(ink[40 * 40 + 20] == 1, "the stroke's inside is ink now")
        // A 0 drawn with a solid pen: its round counter stays.
        var zero = Canvas(width: 80, height: 80, background: 0)
        func ring(_ canvas: inout Canvas, thickness: Double, value: UInt8) {
            for step in 0..<90 {
                let a = Double(step) / 90 * 2 * .pi, b = Double(step + 1) / 90 * 2 * .pi
                canvas.line(40 + 24 * cos(a), 40 + 30 * sin(a), 40 + 24 * cos(b), 40 + 30 * sin(b),
                            thickness: thickness, value: value)
            }
        }
        ring(&zero, thickness: 10, value: 255)
        var solid = Self.ink(zero)
        #expect(HollowStrokes.fill(&solid, width: 80, height: 80) == 0)
        #expect(solid[40 * 80 + 40] == 0, "the counter is still paper")
        // The same 0 drawn as its outline: the thin ring inside the stroke is filled, the counter is not.
        ring(&zero, thickness: 6, value: 0)
        var outlined = Self.ink(zero)
        #expect(HollowStrokes.fill(&outlined, width: 80, height: 80) == 1)
        #expect(outlined[40 * 80 + 40] == 0, "the counter is still paper")
        #expect(outlined[40 * 80 + 40 + 24] == 1, "the stroke's inside is ink")
    }

    @Test("the chamfer distance is within 8% of the Euclidean one")
    func chamfer() {
        var ink = [Float](repeating: 0, count: 41 * 41)
        ink[20 * 41 + 20] = 1
        let distance = HollowStrokes.chamferDistance(ink, width: 41, height: 41)
        for y in 0..<41 {
            for x in 0..<41 {
                let exact = Float(((x - 20) * (x - 20) + (y - 20) * (y - 20))).squareRoot()
                #expect(abs(distance[y * 41 + x] - exact) <= 0.08 * exact + 1e-4, "(\(x), \(y))")
            }
        }
    }
}
