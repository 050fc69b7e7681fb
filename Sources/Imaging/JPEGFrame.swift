/// What a JPEG's marker segments say about its frame before any pixel is decoded: the start-of-frame marker
/// (which coding), the sample precision, and whether an Adobe APP14 segment is present (CMYK stored inverted).
/// Every read is bounds-checked: the bytes come from uploads.
struct JPEGFrame: Equatable {
    /// The start-of-frame marker's second byte: 0xC0 baseline, 0xC1 extended, 0xC2 progressive, 0xC3 lossless,
    /// 0xC5-0xC7 hierarchical, 0xC9-0xCB and 0xCD-0xCF their arithmetic-coded forms.
    var marker: UInt8
    /// Bits per sample (8 for nearly every JPEG; 12 or 16 for medical and raw-photo files).
    var precision: Int
    /// An Adobe APP14 segment came before the frame.
    var adobe: Bool

    /// Why libjpeg-turbo (built for 8-bit samples) cannot decode this frame, in words; nil when it can.
    var unsupported: String? {
        switch marker {
        case 0xC3, 0xCB: "lossless JPEG (\(precision)-bit samples) is not read"
        case 0xC5, 0xC6, 0xC7, 0xCD, 0xCE, 0xCF: "hierarchical JPEG is not read"
        default: precision == 8 ? nil : "\(precision)-bit samples are not read (only 8-bit)"
        }
    }
}

extension JPEGFrame {
    /// The first start-of-frame segment's; nil when there is none before the scan or a length points outside
    /// the bytes (libjpeg-turbo then reports the damage).
    init?(scanning bytes: [UInt8]) {
        var adobe = false
        var frame: JPEGFrame?
        Self.walkSegments(bytes) { marker, body in
            if marker == 0xEE, body.count >= 5, bytes[body.prefix(5)].elementsEqual("Adobe".utf8) { adobe = true }
            guard (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) else { return true }
            if let precision = body.first.map({ Int(bytes[$0]) }) {
                frame = JPEGFrame(marker: marker, precision: precision, adobe: adobe)
            }
            return false
        }
        guard let frame else { return nil }
        self = frame
    }

    /// Calls `visit` with each marker segment's marker byte and the range of its body, from the start of image
    /// up to the start of scan, until `visit` returns false. Stops without a call at anything that is not a
    /// well-formed segment (a length that points outside the bytes).
    static func walkSegments(_ bytes: [UInt8], _ visit: (UInt8, Range<Int>) -> Bool) {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return }
        var position = 2
        while position + 4 <= bytes.count {
            guard bytes[position] == 0xFF else { return }
            let marker = bytes[position + 1]
            if marker == 0xFF { position += 1; continue }  // fill byte
            if marker == 0xD9 || marker == 0xDA { return }  // end of image, start of scan
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { position += 2; continue }  // no length
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let start = position + 4, end = position + 2 + length
            guard length >= 2, end <= bytes.count else { return }
            guard visit(marker, start..<end) else { return }
            position = end
        }
    }
}
