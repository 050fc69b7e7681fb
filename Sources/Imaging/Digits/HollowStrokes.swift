/// Fills strokes drawn as their outline (outline fonts, bubble writing), which the model would otherwise read
/// as doubled strokes, mostly as 8s.
///
/// A hollow stroke encloses a hole that is long and thin: it runs the length of the stroke at about a pen's
/// width. The holes a digit really has (the counters of 0, 4, 6, 8 and 9) are round or oval. The hole's
/// elongation, its area over the square of its half-width (the largest distance from inside it to the ink), tells
/// them apart whatever the image's size: a disc gives 3.1, 99% of the counters of MNIST's training digits
/// (enlarged 4x) stay under 11.4, while the inside of a hollow stroke is about four times its length over its
/// width. The few counters above the limit are slits a thick pen nearly closed; filled, they read the same.
enum HollowStrokes {
    /// Holes more elongated than this are the inside of a hollow stroke.
    static let elongation: Float = 12

    /// Sets every pixel of each such hole in `ink` (`width * height` values in 0...1, light on dark; ink is at
    /// least half of full) to full ink. Returns how many holes were filled.
    static func fill(_ ink: inout [Float], width: Int, height: Int) -> Int {
        let count = width * height
        guard width > 2, height > 2, ink.count == count else { return 0 }
        let distance = chamferDistance(ink, width: width, height: height)
        var labelled = [Bool](repeating: false, count: count)
        var stack: [Int] = [], region: [Int] = []
        var filled = 0
        for start in 0..<count where !labelled[start] && ink[start] < 0.5 {
            // One 4-connected piece of paper; a hole when it does not reach the image's edge.
            region.removeAll(keepingCapacity: true)
            var touchesEdge = false, deepest: Float = 0
            func visit(_ neighbour: Int) {
                guard !labelled[neighbour], ink[neighbour] < 0.5 else { return }
                labelled[neighbour] = true
                stack.append(neighbour)
            }
            labelled[start] = true
            stack.append(start)
            while let index = stack.popLast() {
                if !touchesEdge { region.append(index) }
                deepest = max(deepest, distance[index])
                let x = index % width, y = index / width
                if x == 0 || y == 0 || x == width - 1 || y == height - 1 {
                    touchesEdge = true
                    continue
                }
                visit(index - 1)
                visit(index + 1)
                visit(index - width)
                visit(index + width)
            }
            guard !touchesEdge, deepest > 0 else { continue }
            if Float(region.count) / (deepest * deepest) > elongation {
                for index in region { ink[index] = 1 }
                filled += 1
            }
        }
        return filled
    }

    /// For every pixel, its distance to the nearest ink pixel (at least half of full), in pixels: a 3-4 chamfer
    /// distance (two passes, within 8% of the Euclidean one); 0 on ink.
    static func chamferDistance(_ ink: [Float], width: Int, height: Int) -> [Float] {
        let far = Int32.max / 2
        var d = ink.map { $0 >= 0.5 ? Int32(0) : far }
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                var v = d[i]
                if x > 0 { v = min(v, d[i - 1] + 3) }
                if y > 0 {
                    v = min(v, d[i - width] + 3)
                    if x > 0 { v = min(v, d[i - width - 1] + 4) }
                    if x < width - 1 { v = min(v, d[i - width + 1] + 4) }
                }
                d[i] = v
            }
        }
        for y in stride(from: height - 1, through: 0, by: -1) {
            for x in stride(from: width - 1, through: 0, by: -1) {
                let i = y * width + x
                var v = d[i]
                if x < width - 1 { v = min(v, d[i + 1] + 3) }
                if y < height - 1 {
                    v = min(v, d[i + width] + 3)
                    if x < width - 1 { v = min(v, d[i + width + 1] + 4) }
                    if x > 0 { v = min(v, d[i + width - 1] + 4) }
                }
                d[i] = v
            }
        }
        return d.map { $0 >= far ? Float.infinity : Float($0) / 3 }
    }
}
