/// The aspect a stretched single-stroke digit had before it was stretched.
///
/// MNIST fits each digit into 20x20 keeping its aspect, so a 1 is a narrow upright stroke. An upload cropped to
/// its ink and then resized to a fixed shape (a square crop tool, an app that sends 56x56) has lost that aspect:
/// a 1 comes as a slab as wide as it is tall, which reads as an 8 or a 2. The aspect can still be recovered from
/// the stroke itself, because a pen is round: a digit that is one stroke from top to bottom (every row crosses
/// the ink once, at a steady width) is a stroke of the pen's width, and a pen is far thinner than the digit is
/// tall. Measured on MNIST's training digits (at half the peak ink), such a stroke is 0.15 of the digit's height
/// across (median) and at most 0.3 for 99% of its 1s, and its ink box is far taller than wide. A single stroke
/// wider than `widestPen` of its height, in a box about as wide as tall, was stretched sideways; it is narrowed
/// back to `typicalPen`.
///
/// Only that shape is touched: a digit with more than one stroke per row (0, 2, 3, 4, 5, 6, 8, 9 and most 7s)
/// keeps its aspect, and so does a digit drawn with a marker so thick that its arms close up (a 3 then crosses
/// each row once too, but at widths that change from arm to gap, and in a box clearly taller than wide).
/// docs/PERFORMANCE.md (uploads) has what it does to stretched crops and to clean digits.
enum StrokeAspect {
    /// At least this fraction of the rows must cross the ink exactly once.
    static let singleRunFraction = 0.9
    /// The run widths' spread (10th to 90th percentile) must be at most this fraction of their median.
    static let steadyWidth = 0.7
    /// The ink box must be at least this wide for its height: a stroke stretched to a square, not a tall one.
    static let squarish = 0.8
    /// A pen stroke wider than this fraction of the digit's height was stretched.
    static let widestPen = 0.3
    /// The width, as a fraction of the height, a stretched stroke is given back (MNIST's median).
    static let typicalPen = 0.15

    /// By how much to narrow the ink (`width * height` values in 0...1, cropped to the ink) so its stroke is a
    /// pen's width again: 1 when it needs nothing.
    static func narrowing(_ ink: [Float], width: Int, height: Int) -> Double {
        guard width > 1, height > 1, Double(width) >= squarish * Double(height), let peak = ink.max(), peak > 0 else {
            return 1
        }
        let half = peak / 2
        var widths: [Int] = []
        widths.reserveCapacity(height)
        for y in 0..<height {
            var runs = 0, length = 0, inside = false
            for x in 0..<width {
                let on = ink[y * width + x] >= half
                if on {
                    length += 1
                    if !inside { runs += 1 }
                }
                inside = on
            }
            if runs == 1 { widths.append(length) }
        }
        guard Double(widths.count) >= singleRunFraction * Double(height) else { return 1 }
        widths.sort()
        func percentile(_ p: Double) -> Double { Double(widths[min(widths.count - 1, Int(p * Double(widths.count)))]) }
        let median = percentile(0.5)
        guard percentile(0.9) - percentile(0.1) <= steadyWidth * median else { return 1 }
        guard median > widestPen * Double(height) else { return 1 }
        return median / (typicalPen * Double(height))
    }
}
