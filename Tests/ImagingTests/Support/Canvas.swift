@testable import Imaging

/// Draws test digits: thick line segments on a plain background.
struct Canvas {
    var image: GrayImage

    init(width: Int, height: Int, background: UInt8) {
        image = GrayImage(width: width, height: height, pixels: [UInt8](repeating: background, count: width * height))
    }

    /// Paints every pixel within `thickness / 2` of the segment from (x0, y0) to (x1, y1).
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, thickness: Double, value: UInt8) {
        let radius = thickness / 2
        let minX = max(0, Int(min(x0, x1) - radius)), maxX = min(image.width - 1, Int(max(x0, x1) + radius) + 1)
        let minY = max(0, Int(min(y0, y1) - radius)), maxY = min(image.height - 1, Int(max(y0, y1) + radius) + 1)
        guard minX <= maxX, minY <= maxY else { return }
        let dx = x1 - x0, dy = y1 - y0
        let length2 = max(dx * dx + dy * dy, 1e-12)
        for y in minY...maxY {
            for x in minX...maxX {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                let t = max(0, min(1, ((px - x0) * dx + (py - y0) * dy) / length2))
                let (cx, cy) = (x0 + t * dx - px, y0 + t * dy - py)
                if cx * cx + cy * cy <= radius * radius { image[x, y] = value }
            }
        }
    }

    /// A "7" whose bounding box is roughly (x, y, size * 0.7, size).
    mutating func seven(x: Double, y: Double, size: Double, thickness: Double, value: UInt8) {
        line(x, y, x + size * 0.7, y, thickness: thickness, value: value)
        line(x + size * 0.7, y, x + size * 0.25, y + size, thickness: thickness, value: value)
    }
}

/// Centre of mass and ink bounds of a 28x28 result.
struct InkStats {
    var centreX = 0.0, centreY = 0.0
    var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
    var total = 0.0

    init(_ pixels: [UInt8], side: Int = 28) {
        var sumX = 0.0, sumY = 0.0
        for y in 0..<side {
            for x in 0..<side where pixels[y * side + x] > 0 {
                let v = Double(pixels[y * side + x])
                total += v
                sumX += v * Double(x)
                sumY += v * Double(y)
                minX = min(minX, x); maxX = max(maxX, x)
                minY = min(minY, y); maxY = max(maxY, y)
            }
        }
        if total > 0 {
            centreX = sumX / total
            centreY = sumY / total
        }
    }

    var width: Int { maxX - minX + 1 }
    var height: Int { maxY - minY + 1 }
}

/// A small deterministic generator for noise (a 64-bit LCG; quality is irrelevant here).
struct NoiseSource {
    var state: UInt64
    mutating func next(in range: ClosedRange<Int>) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return range.lowerBound + Int((state >> 33) % UInt64(range.count))
    }
}
