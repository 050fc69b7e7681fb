import Imaging

/// Composes 28x28 digits into one grayscale image: a grid of upscaled tiles, each with caption lines
/// underneath drawn in `BitmapFont`. Pure: the same tiles give the same pixels.
public struct DigitSheet: Sendable {
    /// One digit and the lines printed under it.
    public struct Tile: Sendable, Equatable {
        public var pixels: [UInt8]
        public var caption: [String]
        public init(pixels: [UInt8], caption: [String]) {
            self.pixels = pixels
            self.caption = caption
        }
    }

    public var columns: Int
    /// Each digit pixel becomes a `scale`x`scale` block.
    public var scale: Int
    public var fontScale: Int

    static let side = DigitExample.side
    static let gap = 12
    static let lineGap = 3
    static let background: UInt8 = 255
    static let ink: UInt8 = 0

    public init(columns: Int = 10, scale: Int = 2, fontScale: Int = 2) {
        self.columns = max(1, columns)
        self.scale = max(1, scale)
        self.fontScale = max(1, fontScale)
    }

    /// Lays the tiles out row by row on a white canvas. Every tile must have 784 pixels.
    public func compose(_ tiles: [Tile]) throws(ReportError) -> GrayImage {
        let pixelCount = Self.side * Self.side
        if let i = tiles.firstIndex(where: { $0.pixels.count != pixelCount }) {
            throw ReportError(kind: .invalidInput, subject: "digit image \(i)",
                              detail: "has \(tiles[i].pixels.count) pixels; expected \(pixelCount) (28x28)")
        }
        guard !tiles.isEmpty else { return GrayImage(width: 1, height: 1, pixels: [Self.background]) }
        let digitSide = Self.side * scale
        let widestCaption = tiles.flatMap(\.caption).map { BitmapFont.width(of: $0, scale: fontScale) }.max() ?? 0
        let cellWidth = max(digitSide, widestCaption + 2 * fontScale)
        let lines = tiles.map(\.caption.count).max() ?? 0
        let lineHeight = BitmapFont.glyphHeight * fontScale
        let captionHeight = lines == 0 ? 0 : Self.lineGap + lines * (lineHeight + Self.lineGap)
        let cellHeight = digitSide + captionHeight
        let columnsUsed = min(columns, tiles.count)
        let rowsUsed = (tiles.count + columns - 1) / columns
        let width = Self.gap + columnsUsed * (cellWidth + Self.gap)
        let height = Self.gap + rowsUsed * (cellHeight + Self.gap)
        var canvas = [UInt8](repeating: Self.background, count: width * height)

        for (index, tile) in tiles.enumerated() {
            let cellX = Self.gap + (index % columns) * (cellWidth + Self.gap)
            let cellY = Self.gap + (index / columns) * (cellHeight + Self.gap)
            let digitX = cellX + (cellWidth - digitSide) / 2
            for y in 0..<digitSide {
                let sourceRow = (y / scale) * Self.side
                let destination = (cellY + y) * width + digitX
                for x in 0..<digitSide {
                    canvas[destination + x] = tile.pixels[sourceRow + x / scale]
                }
            }
            for (line, text) in tile.caption.enumerated() {
                let textX = cellX + (cellWidth - BitmapFont.width(of: text, scale: fontScale)) / 2
                let textY = cellY + digitSide + Self.lineGap + line * (lineHeight + Self.lineGap)
                BitmapFont.draw(text, into: &canvas, width: width, height: height,
                                x: textX, y: textY, scale: fontScale, ink: Self.ink)
            }
        }
        return GrayImage(width: width, height: height, pixels: canvas)
    }
}
