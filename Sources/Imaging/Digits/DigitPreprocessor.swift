/// Turns a photo or drawing of one digit into MNIST's form, the way MNIST itself was made: white ink on black,
/// the ink scaled to fit 20x20 (aspect kept, antialiased), placed in a 28x28 frame with its centre of mass at
/// the centre. Photos are measured against their own paper first, so uneven lighting and scattered noise do not
/// count as ink.
public enum DigitPreprocessor {
    public static let side = 28
    public static let inkSide = 20
    /// Below this contrast (max minus min luminance) an image holds no ink worth finding.
    static let minimumContrast = 32
    /// In a clean image, ink fainter than the brightest ink divided by this is taken as paper.
    static let cleanFloorDivisor: UInt8 = 10

    /// The 784 pixels (28x28, rows top to bottom, white ink on black) for `image`.
    public static func mnistStyle(_ image: GrayImage) -> [UInt8] {
        process(image).pixels
    }

    /// The 784 pixels and what was done to get them. A blank image (no contrast) gives 784 zeros and a report
    /// with `blank` set, so callers can refuse it with a message.
    public static func process(_ image: GrayImage) -> (pixels: [UInt8], report: DigitReport) {
        var report = DigitReport(sourceWidth: image.width, sourceHeight: image.height)
        let blank = [UInt8](repeating: 0, count: side * side)
        guard image.width > 0, image.height > 0 else {
            report.blank = true
            return (blank, report)
        }
        var luminance = image.pixels
        if let alpha = image.alpha, alpha.contains(where: { $0 != 255 }) {
            guard let background = backgroundContrasting(luminance, alpha: alpha) else {
                report.blank = true
                return (blank, report)
            }
            report.alphaBackground = background
            let paper = UInt32(background)
            for i in luminance.indices {
                let a = UInt32(alpha[i])
                luminance[i] = UInt8((UInt32(luminance[i]) * a + paper * (255 - a) + 127) / 255)
            }
        }

        let inverted = borderMedian(luminance, width: image.width, height: image.height) > 127
        if image.width == side, image.height == side, report.alphaBackground == nil, !inverted {
            // MNIST's own form, used as is, unless there is nothing on it.
            guard let low = luminance.min(), let high = luminance.max(), Int(high) - Int(low) >= minimumContrast else {
                report.blank = true
                return (blank, report)
            }
            report.unchanged = true
            return (luminance, report)
        }
        report.inverted = inverted
        // A clean image (a scan, a canvas, a crop of one, composited transparency) has one paper level; it is
        // used as it is, apart from that level, so strokes that fill the frame keep every pixel. A photo's
        // lighting is uneven and its paper noisy: only then is the ink measured against the local paper (dark
        // ink as the fraction of the paper's light it absorbs) and are specks cleared, as the paper estimate
        // would otherwise take a large digit's strokes for paper.
        let oriented = inverted ? luminance.map { 255 - $0 } : luminance
        let paper = report.alphaBackground == nil
            ? PaperBackground.uniformLevel(oriented, width: image.width, height: image.height) : 0
        if let paper {
            if report.alphaBackground == nil { report.flatPaper = paper }
            luminance = paper == 0 ? oriented : oriented.map { $0 > paper ? $0 - paper : 0 }
        } else {
            let background = PaperBackground.estimate(luminance, width: image.width, height: image.height)
            luminance = PaperBackground.flatten(luminance, background: background, inkIsDark: inverted)
            report.backgroundFlattened = true
        }
        guard let low = luminance.min(), let high = luminance.max(), Int(high) - Int(low) >= minimumContrast else {
            report.blank = true
            return (blank, report)
        }

        // Clear the paper's texture and noise; what is left keeps its level (antialiased edges stay soft) and is
        // scaled so the brightest ink is 255, as in MNIST. Flat paper has no texture to clear: only the faintest
        // tenth of the ink's range (JPEG ringing around strokes) goes. Specks (dust on a scan, noise on a photo)
        // are pieces with far less ink than the digit's; a clean digit has none, and keeps all its pieces.
        let threshold = report.backgroundFlattened ? noiseThreshold(luminance) : high / cleanFloorDivisor
        report.noiseThreshold = threshold
        report.specksRemoved = InkComponents.clean(&luminance, threshold: threshold,
                                                   width: image.width, height: image.height)
        var ink = [Float](repeating: 0, count: luminance.count)
        var box = (minX: Int.max, minY: Int.max, maxX: -1, maxY: -1)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let v = luminance[y * image.width + x]
                guard v > threshold else { continue }
                ink[y * image.width + x] = Float(v) / Float(high)
                box = (min(box.minX, x), min(box.minY, y), max(box.maxX, x), max(box.maxY, y))
            }
        }
        guard box.maxX >= 0 else {
            report.blank = true
            return (blank, report)
        }
        let boxWidth = box.maxX - box.minX + 1, boxHeight = box.maxY - box.minY + 1
        report.inkBox = .init(x: box.minX, y: box.minY, width: boxWidth, height: boxHeight)
        var cropped = [Float](repeating: 0, count: boxWidth * boxHeight)
        for y in 0..<boxHeight {
            let from = (box.minY + y) * image.width + box.minX
            cropped.replaceSubrange((y * boxWidth)..<((y + 1) * boxWidth), with: ink[from..<(from + boxWidth)])
        }

        // Strokes drawn as their outline are filled (the holes a digit has are left as they are). A hole lies
        // inside the ink's box, so the crop is all there is to search.
        report.hollowStrokesFilled = HollowStrokes.fill(&cropped, width: boxWidth, height: boxHeight)
        // A single stroke wider than a pen was stretched sideways (a crop resized to a square): its width is
        // taken back to a pen's before the aspect is kept.
        let narrowing = StrokeAspect.narrowing(cropped, width: boxWidth, height: boxHeight)
        if narrowing > 1 { report.narrowed = narrowing }
        let inkWidth = Double(boxWidth) / narrowing
        let scale = Double(inkSide) / max(inkWidth, Double(boxHeight))
        let width = max(1, min(inkSide, Int((inkWidth * scale).rounded())))
        let height = max(1, min(inkSide, Int((Double(boxHeight) * scale).rounded())))
        var scaled = Resampler.resize(cropped, width: boxWidth, height: boxHeight, toWidth: width, toHeight: height)
        // Shrinking a large photo averages thin strokes down to a faint grey; MNIST's strokes peak at full white.
        if let peak = scaled.max(), peak > 0, peak < 1 {
            for i in scaled.indices { scaled[i] /= peak }
        }
        report.scaledWidth = width
        report.scaledHeight = height

        // Centre of mass in the scaled image, moved to (14, 14) in pixel indices: where MNIST's own digits have
        // it on average (measured over its test set), rather than the geometric centre 13.5.
        var mass: Float = 0, sumX: Float = 0, sumY: Float = 0
        for y in 0..<height {
            for x in 0..<width {
                let v = scaled[y * width + x]
                mass += v
                sumX += v * Float(x)
                sumY += v * Float(y)
            }
        }
        let centre = Float(side) / 2
        let offsetX = mass > 0 ? Int((centre - sumX / mass).rounded()) : (side - width) / 2
        let offsetY = mass > 0 ? Int((centre - sumY / mass).rounded()) : (side - height) / 2
        // A lopsided digit (a 7's heavy bar) cannot always be centred; it stops one pixel short of the edge, so
        // the frame stays black as in MNIST.
        let left = max(1, min(side - 1 - width, offsetX)), top = max(1, min(side - 1 - height, offsetY))
        report.offsetX = left
        report.offsetY = top

        var pixels = blank
        for y in 0..<height {
            for x in 0..<width {
                let v = scaled[y * width + x] * 255
                pixels[(top + y) * side + left + x] = UInt8(max(0, min(255, v.rounded())))
            }
        }
        return (pixels, report)
    }

    /// The paper luminance that contrasts with the strokes: white under dark strokes, black under light ones.
    /// The strokes are the pixels that are mostly opaque; nil when there are none (a fully transparent image).
    static func backgroundContrasting(_ luminance: [UInt8], alpha: [UInt8]) -> UInt8? {
        var weight = 0, sum = 0
        for i in luminance.indices where alpha[i] >= 128 {
            weight += Int(alpha[i])
            sum += Int(alpha[i]) * Int(luminance[i])
        }
        guard weight > 0 else { return nil }
        return sum / weight < 128 ? 255 : 0
    }

    /// The median luminance of the outermost ring of pixels: the paper's colour, even where ink touches an edge.
    static func borderMedian(_ luminance: [UInt8], width: Int, height: Int) -> UInt8 {
        var histogram = [Int](repeating: 0, count: 256)
        var count = 0
        for y in 0..<height {
            let step = (y == 0 || y == height - 1) ? 1 : max(1, width - 1)
            var x = 0
            while x < width {
                histogram[Int(luminance[y * width + x])] += 1
                count += 1
                x += step
            }
        }
        var seen = 0
        for value in 0..<256 {
            seen += histogram[value]
            if 2 * seen >= count { return UInt8(value) }
        }
        return 255
    }

    /// The level below which pixels count as paper. Otsu's threshold alone would also clear a clean image's
    /// antialiased edges; capping it at the paper's mean plus three standard deviations (the paper being what
    /// Otsu puts below its threshold) clears real noise but keeps the soft edges of an already clean image.
    static func noiseThreshold(_ luminance: [UInt8]) -> UInt8 {
        let otsu = otsuThreshold(luminance)
        var count = 0.0, sum = 0.0, squares = 0.0
        for v in luminance where v <= otsu {
            let value = Double(v)
            count += 1
            sum += value
            squares += value * value
        }
        guard count > 0 else { return otsu }
        let mean = sum / count
        let deviation = (max(0, squares / count - mean * mean)).squareRoot()
        return UInt8(min(Double(otsu), (mean + 3 * deviation).rounded(.up)))
    }

    /// Otsu's threshold: the level that best separates the histogram into two classes (background and ink).
    static func otsuThreshold(_ luminance: [UInt8]) -> UInt8 {
        var histogram = [Double](repeating: 0, count: 256)
        for v in luminance { histogram[Int(v)] += 1 }
        let total = Double(luminance.count)
        let sumAll = (0..<256).reduce(0.0) { $0 + Double($1) * histogram[$1] }
        var weightBelow = 0.0, sumBelow = 0.0, best = 0.0, threshold = 0
        for t in 0..<255 {
            weightBelow += histogram[t]
            sumBelow += Double(t) * histogram[t]
            let weightAbove = total - weightBelow
            if weightBelow == 0 || weightAbove == 0 { continue }
            let meanBelow = sumBelow / weightBelow
            let meanAbove = (sumAll - sumBelow) / weightAbove
            let between = weightBelow * weightAbove * (meanBelow - meanAbove) * (meanBelow - meanAbove)
            if between > best {
                best = between
                threshold = t
            }
        }
        return UInt8(threshold)
    }
}
