/// Keeps the digit's strokes and drops the specks around them.
///
/// Sensor noise, paper grain and JPEG blocks leave small bright pieces all over a photo once it is thresholded;
/// each one alone would stretch the ink's bounding box to the image's edges. A digit is one or a few large
/// connected pieces (a 5's flag, a 4's crossing may come apart), so pieces with far less ink than the largest
/// are not part of it.
enum InkComponents {
    /// A piece with less ink than this fraction of the largest piece's is dropped.
    static let keepFraction = 0.05

    /// Sets to 0 every pixel at or below `threshold` and every 8-connected piece above it whose ink (the sum of
    /// its values) is below `keepFraction` of the largest piece's. Returns how many pieces were dropped.
    static func clean(_ ink: inout [UInt8], threshold: UInt8, width: Int, height: Int) -> Int {
        var labels = [Int32](repeating: -1, count: ink.count)
        var masses: [Int] = []
        var stack: [Int] = []
        for start in ink.indices where ink[start] > threshold && labels[start] < 0 {
            let label = Int32(masses.count)
            var mass = 0
            labels[start] = label
            stack.append(start)
            while let index = stack.popLast() {
                mass += Int(ink[index])
                let x = index % width, y = index / width
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) {
                        let neighbour = ny * width + nx
                        if ink[neighbour] > threshold && labels[neighbour] < 0 {
                            labels[neighbour] = label
                            stack.append(neighbour)
                        }
                    }
                }
            }
            masses.append(mass)
        }
        let largest = masses.max() ?? 0
        let kept = masses.map { Double($0) >= keepFraction * Double(largest) }
        for i in ink.indices {
            let label = labels[i]
            if label < 0 || !kept[Int(label)] { ink[i] = 0 }
        }
        return kept.count(where: { !$0 })
    }
}
