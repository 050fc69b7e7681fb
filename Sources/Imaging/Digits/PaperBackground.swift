/// The paper's own brightness under uneven lighting, and the ink measured against it.
///
/// A photo of paper is brighter on one side than the other; one global threshold then takes the darker side for
/// ink. The paper's brightness changes slowly, the ink's quickly, so a median over a coarse grid of the image
/// follows the lighting and ignores the strokes (they are a minority of any large window).
enum PaperBackground {
    /// The grid has about this many cells along the image's longer side.
    static let gridCells = 32
    /// The median window spans this many cells each side of its centre: 11x11 of 32x32, wide enough that even a
    /// thick marker digit covers less than half of it, narrow enough to follow a lighting gradient.
    static let windowRadius = 5

    /// The paper's level when the paper is one flat level (a scan, a canvas, a crop of either, even through JPEG),
    /// nil when it varies (a photo: uneven lighting, grain, sensor noise). `ink` is light ink on dark paper.
    ///
    /// Flat paper shows as a sharp peak in the histogram: on a clean image at least `flatFraction` of the paper
    /// (what Otsu's threshold puts on the dark side, antialiased stroke edges included) lies within
    /// `flatTolerance` of the most common paper level. In a tight crop the strokes' soft edges may outnumber the
    /// flat paper; they lie next to the strokes, though, where a photo's noise and shading lie everywhere. So a
    /// tight crop is flat too when its paper pixels off the paper level that are neither near a stroke nor on a
    /// steady fall from one (a stretched crop's smeared edges, see `descentFromInk`) make less than
    /// `strayFraction` of the image, unless the paper's levels follow a lighting trend (`lightingTrend`).
    static func uniformLevel(_ ink: [UInt8], width: Int, height: Int) -> UInt8? {
        let otsu = Int(DigitPreprocessor.otsuThreshold(ink))
        var histogram = [Int](repeating: 0, count: 256)
        for v in ink { histogram[Int(v)] += 1 }
        guard let mode = (0...otsu).max(by: { histogram[$0] < histogram[$1] }) else { return nil }
        let level = max(0, mode - flatTolerance)...min(otsu, mode + flatTolerance)
        let paper = (0...otsu).reduce(0) { $0 + histogram[$1] }
        let flat = level.reduce(0) { $0 + histogram[$1] }
        if Double(flat) >= flatFraction * Double(paper) { return UInt8(mode) }

        // Soft edges reach further in a large image: a few pixels per 28 of its shorter side. "Near" is counted
        // in square cells of half that reach: a pixel is near a stroke when a cell within two cells of its own
        // holds ink, which costs two passes over the pixels however large the reach.
        let cell = max(1, min(width, height) / 20)
        let columns = (width + cell - 1) / cell, rows = (height + cell - 1) / cell
        let cellColumn = (0..<width).map { $0 / cell }
        var inked = [Bool](repeating: false, count: columns * rows)
        for y in 0..<height {
            let base = y * width, cellRow = (y / cell) * columns
            for x in 0..<width where Int(ink[base + x]) > otsu { inked[cellRow + cellColumn[x]] = true }
        }
        var near = [Bool](repeating: false, count: columns * rows)
        for row in 0..<rows {
            for column in 0..<columns where inked[row * columns + column] {
                for r in max(0, row - 2)...min(rows - 1, row + 2) {
                    for c in max(0, column - 2)...min(columns - 1, column + 2) { near[r * columns + c] = true }
                }
            }
        }
        let limit = strayFraction * Double(ink.count)
        func stray(excluding fall: [Bool]?) -> Int {
            var count = 0
            for y in 0..<height {
                let base = y * width, cellRow = (y / cell) * columns
                for x in 0..<width where !near[cellRow + cellColumn[x]] && !(fall?[base + x] ?? false) {
                    let v = Int(ink[base + x])
                    if v <= otsu && !level.contains(v) { count += 1 }
                }
            }
            return count
        }
        if Double(stray(excluding: nil)) < limit { return UInt8(mode) }

        // A crop stretched far sideways smears its strokes' edges beyond that reach. Lighting falling off across
        // a noise-free page would pass the steady-fall test as well (the shaded side is above Otsu's threshold
        // and the paper falls steadily away from it), so it is ruled out first.
        if lightingTrend(ink, width: width, height: height, paperUpTo: otsu) >= trendFraction { return nil }
        let fall = descentFromInk(ink, width: width, height: height, above: level.upperBound, ink: otsu)
        return Double(stray(excluding: fall)) < limit ? UInt8(mode) : nil
    }

    /// The pixels above the paper level (`above`) that fall off steadily from a stroke (brighter than `ink`):
    /// reached from one by steps that never rise. A resize smears a stroke's edge far sideways when it stretches
    /// a crop, but smoothly, so the whole smear lies on such a descent however wide it is; a photo's grain and
    /// shading rise and fall at random, so its paper off the level is reached only in small patches.
    static func descentFromInk(_ ink: [UInt8], width: Int, height: Int, above: Int, ink level: Int) -> [Bool] {
        var reached = [Bool](repeating: false, count: ink.count)
        // Indices as UInt32 (images are limited to `ImageFile.maxPixels`): the queue may hold every pixel.
        var queue: [UInt32] = []
        for i in ink.indices where Int(ink[i]) > level {
            reached[i] = true
            queue.append(UInt32(i))
        }
        var head = 0
        while head < queue.count {
            let i = Int(queue[head])
            head += 1
            let x = i % width, v = ink[i]
            func visit(_ n: Int) {
                guard !reached[n], Int(ink[n]) > above, ink[n] <= v else { return }
                reached[n] = true
                queue.append(UInt32(n))
            }
            if x > 0 { visit(i - 1) }
            if x + 1 < width { visit(i + 1) }
            if i >= width { visit(i - width) }
            if i + width < ink.count { visit(i + width) }
        }
        return reached
    }

    /// The share of the paper's variation (the pixels at or below `paperUpTo`) that a plane through the image
    /// explains, 0 for paper of one level. Lighting changes slowly and smoothly across a page, so the paper of a
    /// photo lit from one side lies close to a plane (a noise-free gradient: all of it but the rounding to
    /// bytes). A stroke's smeared edge rises towards the stroke from the paper on each side of it and falls back,
    /// which no plane follows: the smears of a stretched crop leave most of the variation unexplained.
    static func lightingTrend(_ ink: [UInt8], width: Int, height: Int, paperUpTo threshold: Int) -> Double {
        var count = 0.0, sumX = 0.0, sumY = 0.0, sumV = 0.0
        for y in 0..<height {
            for x in 0..<width where Int(ink[y * width + x]) <= threshold {
                count += 1
                sumX += Double(x)
                sumY += Double(y)
                sumV += Double(ink[y * width + x])
            }
        }
        guard count > 2 else { return 0 }
        let meanX = sumX / count, meanY = sumY / count, meanV = sumV / count
        // Least squares on centred coordinates: the 2x2 normal equations for the slopes.
        var xx = 0.0, xy = 0.0, yy = 0.0, xv = 0.0, yv = 0.0, vv = 0.0
        for y in 0..<height {
            let dy = Double(y) - meanY
            for x in 0..<width where Int(ink[y * width + x]) <= threshold {
                let dx = Double(x) - meanX, dv = Double(ink[y * width + x]) - meanV
                xx += dx * dx
                xy += dx * dy
                yy += dy * dy
                xv += dx * dv
                yv += dy * dv
                vv += dv * dv
            }
        }
        let determinant = xx * yy - xy * xy
        guard vv > 0, determinant > 0 else { return 0 }
        let slopeX = (xv * yy - yv * xy) / determinant, slopeY = (yv * xx - xv * xy) / determinant
        return min(1, max(0, (slopeX * xv + slopeY * yv) / vv))
    }

    /// Paper levels this close to the paper's most common level count as the same flat paper.
    static let flatTolerance = 2
    /// That level must hold at least this fraction of the paper…
    static let flatFraction = 0.5
    /// …or the paper pixels off it and away from the strokes less than this fraction of the image.
    static let strayFraction = 0.02
    /// Paper whose variation a plane explains this much of is lit unevenly, not smeared by a stretch.
    static let trendFraction = 0.5

    /// The estimated paper luminance at every pixel (`width * height` values, rows top to bottom).
    static func estimate(_ luminance: [UInt8], width: Int, height: Int) -> [Float] {
        let cell = max(1, (max(width, height) + gridCells - 1) / gridCells)
        let columns = (width + cell - 1) / cell, rows = (height + cell - 1) / cell

        // Median of each cell, from a histogram (cells of a large photo hold thousands of pixels).
        var cellMedians = [UInt8](repeating: 0, count: columns * rows)
        var histogram = [Int](repeating: 0, count: 256)
        for row in 0..<rows {
            for column in 0..<columns {
                for i in histogram.indices { histogram[i] = 0 }
                let x0 = column * cell, x1 = min(width, x0 + cell)
                let y0 = row * cell, y1 = min(height, y0 + cell)
                for y in y0..<y1 {
                    let base = y * width
                    for x in x0..<x1 { histogram[Int(luminance[base + x])] += 1 }
                }
                cellMedians[row * columns + column] = median(histogram, count: (x1 - x0) * (y1 - y0))
            }
        }

        // Median over a wide window of cells: a cell full of stroke takes the paper around it. Counted in a
        // histogram, as the values are bytes: sorting each window would cost more than the rest of the estimate.
        var paper = [Float](repeating: 0, count: columns * rows)
        for i in histogram.indices { histogram[i] = 0 }
        for row in 0..<rows {
            let rowRange = max(0, row - windowRadius)...min(rows - 1, row + windowRadius)
            for column in 0..<columns {
                let columnRange = max(0, column - windowRadius)...min(columns - 1, column + windowRadius)
                for r in rowRange {
                    for c in columnRange { histogram[Int(cellMedians[r * columns + c])] += 1 }
                }
                let count = rowRange.count * columnRange.count
                var seen = 0, value = 0
                while true {
                    seen += histogram[value]
                    if 2 * seen > count { break }
                    value += 1
                }
                paper[row * columns + column] = Float(value)
                for r in rowRange {
                    for c in columnRange { histogram[Int(cellMedians[r * columns + c])] = 0 }
                }
            }
        }

        extendToEdges(&paper, count: columns, lines: rows, step: 1, stride: columns)
        extendToEdges(&paper, count: rows, lines: columns, step: columns, stride: 1)

        // Bilinear upsampling from the cells' centres to every pixel.
        let across = interpolation(pixels: width, cells: columns, cell: cell)
        let down = interpolation(pixels: height, cells: rows, cell: cell)
        var background = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            let (top, bottom, t) = down[y]
            for x in 0..<width {
                let (left, right, s) = across[x]
                let upper = paper[top * columns + left] * (1 - s) + paper[top * columns + right] * s
                let lower = paper[bottom * columns + left] * (1 - s) + paper[bottom * columns + right] * s
                background[y * width + x] = upper * (1 - t) + lower * t
            }
        }
        return background
    }

    /// Ink as light on black, measured against `background`. Dark ink is taken as the fraction of the paper's
    /// light it absorbs, so a stroke is as strong in the shade as in the light (lighting multiplies both); light
    /// ink on a dark board is its excess over the board. Paper brighter than its estimate is 0.
    static func flatten(_ luminance: [UInt8], background: [Float], inkIsDark: Bool) -> [UInt8] {
        var ink = [UInt8](repeating: 0, count: luminance.count)
        for i in luminance.indices {
            let value = Float(luminance[i]), paper = background[i]
            let level = inkIsDark ? (paper - value) / max(paper, 1) * 255 : value - paper
            ink[i] = UInt8(max(0, min(255, level.rounded())))
        }
        return ink
    }

    /// A window cut off by the image's edge is centred further in, so near an edge it gives the lighting of a
    /// cell further in, and the shaded edge of a photo would come out as ink. Along each line of cells (`count`
    /// cells `step` apart; `lines` lines `stride` apart), the cells within a window's reach of either end take
    /// the straight line through two cells whose windows are whole; lines too short for that keep the medians.
    static func extendToEdges(_ paper: inout [Float], count: Int, lines: Int, step: Int, stride: Int) {
        let near = windowRadius, far = 2 * windowRadius
        guard count > 2 * far else { return }
        for line in 0..<lines {
            let base = line * stride
            func at(_ i: Int) -> Float { paper[base + i * step] }
            let startSlope = (at(near) - at(far)) / Float(far - near)
            let endSlope = (at(count - 1 - near) - at(count - 1 - far)) / Float(far - near)
            let start = at(near), end = at(count - 1 - near)
            for i in 0..<near {
                paper[base + i * step] = max(0, min(255, start + startSlope * Float(near - i)))
                paper[base + (count - 1 - i) * step] = max(0, min(255, end + endSlope * Float(near - i)))
            }
        }
    }

    static func median(_ histogram: [Int], count: Int) -> UInt8 {
        var seen = 0
        for value in 0..<256 {
            seen += histogram[value]
            if 2 * seen > count { return UInt8(value) }
        }
        return 255
    }

    /// For each pixel along one axis, the two cells whose centres surround it and the weight of the second.
    /// Beyond the outermost centres the line through the last two continues, so a gradient keeps its slope up
    /// to the edge.
    static func interpolation(pixels: Int, cells: Int, cell: Int) -> [(Int, Int, Float)] {
        (0..<pixels).map { p in
            guard cells > 1 else { return (0, 0, 0) }
            let position = (Float(p) + 0.5) / Float(cell) - 0.5
            let first = max(0, min(cells - 2, Int(position.rounded(.down))))
            return (first, first + 1, position - Float(first))
        }
    }
}
