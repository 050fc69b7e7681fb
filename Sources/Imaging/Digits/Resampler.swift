/// Separable resizing of a float image. Shrinking averages the source area under each output pixel, so thin
/// strokes fade instead of vanishing between samples; enlarging interpolates linearly.
enum Resampler {
    /// `source` is `width * height` values, rows top to bottom.
    static func resize(_ source: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
        let columns = weights(from: width, to: toWidth)
        let rows = weights(from: height, to: toHeight)
        // Horizontal pass: height x toWidth.
        var wide = [Float](repeating: 0, count: height * toWidth)
        for y in 0..<height {
            let row = y * width
            for (x, taps) in columns.enumerated() {
                var sum: Float = 0
                for (index, weight) in taps { sum += source[row + index] * weight }
                wide[y * toWidth + x] = sum
            }
        }
        // Vertical pass: toHeight x toWidth.
        var out = [Float](repeating: 0, count: toHeight * toWidth)
        for (y, taps) in rows.enumerated() {
            for (index, weight) in taps {
                let row = index * toWidth
                for x in 0..<toWidth { out[y * toWidth + x] += wide[row + x] * weight }
            }
        }
        return out
    }

    /// For each output index, the source indices and weights (summing to 1) that make it.
    static func weights(from n: Int, to m: Int) -> [[(Int, Float)]] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { i in
            if scale >= 1 {
                // Area average over [i * scale, (i + 1) * scale).
                let start = Double(i) * scale, end = start + scale
                var taps: [(Int, Float)] = []
                var j = Int(start)
                while Double(j) < end && j < n {
                    let overlap = min(end, Double(j + 1)) - max(start, Double(j))
                    if overlap > 0 { taps.append((j, Float(overlap / scale))) }
                    j += 1
                }
                return taps
            }
            // Linear interpolation between the two nearest source centres.
            let centre = (Double(i) + 0.5) * scale - 0.5
            let left = max(0, min(n - 1, Int(centre.rounded(.down))))
            let right = min(n - 1, left + 1)
            let t = Float(max(0, min(1, centre - Double(left))))
            return left == right ? [(left, Float(1))] : [(left, 1 - t), (right, t)]
        }
    }
}
