import Testing
import Tensor
@testable import NeuralNet

struct AugmenterTests {
    static let image: [UInt8] = (0..<(28 * 28)).map { i in
        let (y, x) = (i / 28, i % 28)
        return (8..<20).contains(y) && (10..<16).contains(x) ? 255 : 0
    }

    @Test func shiftOnlyMovesWholePixels() {
        var rng = SeededGenerator(seed: 1)
        let spec = AugmentationSpec(maxShift: 3)
        for _ in 0..<20 {
            let out = Augmenter.augment(Self.image[...], height: 28, width: 28, spec: spec, rng: &rng)
            // A whole-pixel shift keeps every value either 0 or 255 and the same ink (the block stays inside).
            #expect(out.allSatisfy { $0 == 0 || $0 == 255 })
            #expect(out.filter { $0 == 255 }.count == 72)
        }
    }

    @Test func sameSeedSameImageAndRotationChangesIt() {
        let spec = AugmentationSpec(maxShift: 2, maxRotationDegrees: 15, maxZoom: 0.1)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        let x = Augmenter.augment(Self.image[...], height: 28, width: 28, spec: spec, rng: &a)
        let y = Augmenter.augment(Self.image[...], height: 28, width: 28, spec: spec, rng: &b)
        #expect(x == y)
        #expect(x != Self.image)
        #expect(Augmenter.augment(Self.image[...], height: 28, width: 28, spec: AugmentationSpec(), rng: &a) == Self.image)
    }

    @Test func rotationKeepsTheCentreOfMass() {
        var rng = SeededGenerator(seed: 4)
        let out = Augmenter.augment(Self.image[...], height: 28, width: 28,
                                    spec: AugmentationSpec(maxRotationDegrees: 30), rng: &rng)
        func centre(_ img: [UInt8]) -> (Double, Double) {
            var sx = 0.0, sy = 0.0, total = 0.0
            for (i, v) in img.enumerated() { sx += Double(i % 28) * Double(v); sy += Double(i / 28) * Double(v); total += Double(v) }
            return (sx / total, sy / total)
        }
        let (cx0, cy0) = centre(Self.image), (cx1, cy1) = centre(out)
        // The block's centre (12.5, 13.5) is near the image centre (13.5, 13.5): rotating about it moves little.
        #expect(abs(cx0 - cx1) < 1.5 && abs(cy0 - cy1) < 1.5)
    }
}
