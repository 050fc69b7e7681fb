/// A 5x7 pixel font for the captions under digit tiles: digits, a few capitals and the punctuation the
/// captions use. Built in so composed images need no font files and come out identical everywhere.
enum BitmapFont {
    static let glyphWidth = 5
    static let glyphHeight = 7

    /// Rows top to bottom, `#` is ink.
    private static let glyphs: [Character: [String]] = [
        "0": [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        "1": ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        "2": [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        "3": ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        "4": ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        "5": ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        "6": ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        "7": ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        "8": [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        "9": [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
        "A": [" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        "B": ["#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "],
        "P": ["#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "],
        "T": ["#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "],
        "→": ["     ", "  #  ", "   # ", "#####", "   # ", "  #  ", "     "],
        "/": ["    #", "    #", "   # ", "  #  ", " #   ", "#    ", "#    "],
        "%": ["##  #", "##  #", "   # ", "  #  ", " #   ", "#  ##", "#  ##"],
        ":": ["     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "],
        ".": ["     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "],
        "?": [" ### ", "#   #", "    #", "   # ", "  #  ", "     ", "  #  "],
        " ": ["     ", "     ", "     ", "     ", "     ", "     ", "     "],
    ]

    /// Characters the font draws; anything else is drawn as `?`.
    static var characters: Set<Character> { Set(glyphs.keys) }

    /// Width in pixels of `text` drawn at `scale` with one scaled pixel between glyphs.
    static func width(of text: String, scale: Int) -> Int {
        let n = text.count
        return n == 0 ? 0 : (n * (glyphWidth + 1) - 1) * scale
    }

    /// Draws `text` with its top-left corner at (x, y), each font pixel a `scale`x`scale` block of `ink`.
    /// Pixels falling outside the image are skipped.
    static func draw(_ text: String, into image: inout [UInt8], width: Int, height: Int,
                     x: Int, y: Int, scale: Int, ink: UInt8) {
        var penX = x
        for character in text {
            let rows = glyphs[character] ?? glyphs["?"]!
            for (row, line) in rows.enumerated() {
                for (column, cell) in line.enumerated() where cell == "#" {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let px = penX + column * scale + dx, py = y + row * scale + dy
                            if px >= 0, px < width, py >= 0, py < height {
                                image[py * width + px] = ink
                            }
                        }
                    }
                }
            }
            penX += (glyphWidth + 1) * scale
        }
    }
}
