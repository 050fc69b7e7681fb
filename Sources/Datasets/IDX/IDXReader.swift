import Crypto
import Foundation
import Tensor

/// Reads IDX files (the format of MNIST and Fashion-MNIST): a big-endian header `00 00 <type> <ndims>`, one
/// big-endian UInt32 per dimension, then the unsigned bytes, row-major. Every length is checked against the
/// header; nothing is skipped on trust.
enum IDXReader {
    /// Magic numbers of the two unsigned-byte IDX kinds MNIST uses.
    static let imagesMagic: UInt32 = 0x0000_0803  // 2051: ubyte, 3 dimensions (count, rows, columns)
    static let labelsMagic: UInt32 = 0x0000_0801  // 2049: ubyte, 1 dimension (count)
    /// Deflate cannot expand data more than about 1032:1; a header claiming more than that is corrupt, and
    /// believing it would mean allocating gigabytes for a small file.
    static let maxDeflateRatio = 1032

    struct Contents {
        /// The dimensions from the header; `dimensions[0]` is the item count of the whole file.
        var dimensions: [Int]
        /// The first `limit` items' bytes (all items when no limit).
        var bytes: [UInt8]
    }

    /// Reads the file at `url`, which must carry `magic`; keeps the bytes of the first `limit` items only, but
    /// still reads to the end to check the file's length against its header. With `expectedSHA256`, the file
    /// is copied into memory (a map would show later writes to it) and those bytes must hash to that value.
    static func read(_ url: URL, magic: UInt32, limit: Int?, expectedSHA256: String? = nil) throws(DataError) -> Contents {
        let path = url.path
        let data: Data
        do {
            data = try expectedSHA256 == nil ? MappedFile.map(url) : RegularFile.read(url)
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            let reason = (error as? FileError)?.reason ?? "\(error)"
            throw DataError(exists ? .unreadable : .missing, file: path,
                            exists ? "cannot read: \(reason)" : "no such file")
        }
        if let expectedSHA256 {
            let actual = "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            guard actual == expectedSHA256 else {
                throw DataError(.changed, file: path, "the file changed after it was fingerprinted: its content now "
                    + "hashes to \(actual), the step's cache key was made for \(expectedSHA256); nothing was stored, run again")
            }
        }
        if data.isEmpty {
            throw DataError(.corrupt, file: path, "the file is empty")
        }
        let gzip = GzipSource.isGzip(data)
        var source: any ByteSource = gzip ? try GzipSource(data: data, path: path) : RawSource(data: data)
        let what = gzip ? "the inflated file" : "the file"

        let head = try readBytes(4, from: &source)
        guard head.count == 4 else {
            throw DataError(.corrupt, file: path, "\(what) is \(head.count) bytes long, too short for an IDX header")
        }
        let found = bigEndian(head, 0)
        guard found == magic else {
            throw DataError(.corrupt, file: path, magicProblem(found: found, expected: magic))
        }
        let rank = Int(head[3])
        let dimBytes = try readBytes(4 * rank, from: &source)
        guard dimBytes.count == 4 * rank else {
            throw DataError(.corrupt, file: path, "\(what) ends inside its IDX header (\(4 + dimBytes.count) of \(4 + 4 * rank) bytes)")
        }
        let dimensions = (0..<rank).map { Int(bigEndian(dimBytes, 4 * $0)) }
        let headerSize = 4 + 4 * rank

        let itemSize = dimensions.dropFirst().reduce(1, *)
        let (payload, overflow) = dimensions[0].multipliedReportingOverflow(by: itemSize)
        let shape = dimensions.map(String.init).joined(separator: "x")
        if gzip {
            let bound = data.count * maxDeflateRatio
            guard !overflow, payload <= bound else {
                throw DataError(.corrupt, file: path,
                                "the header claims \(shape) bytes, more than a \(data.count)-byte gzip file can hold")
            }
        } else {
            guard !overflow, payload == data.count - headerSize else {
                throw DataError(.corrupt, file: path,
                                "the header says \(shape) = \(overflow ? "too many" : String(payload)) bytes after the \(headerSize)-byte header, but the file has \(data.count - headerSize)")
            }
        }

        let kept = min(max(limit ?? dimensions[0], 0), dimensions[0]) * itemSize
        var bytes = [UInt8](repeating: 0, count: kept)
        let got = try bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(DataError) in try source.readFully(into: buffer) }
        }.get()
        let total = got == kept ? got + (try source.drain()) : got
        guard total == payload else {
            let relation = total < payload ? "truncated: it ends after" : "longer than its header says:"
            throw DataError(.corrupt, file: path,
                            "\(what) is \(relation) \(total) data bytes, the header (\(shape)) says \(payload)")
        }
        return Contents(dimensions: dimensions, bytes: bytes)
    }

    private static func readBytes(_ count: Int, from source: inout any ByteSource) throws(DataError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(DataError) in try source.readFully(into: buffer) }
        }.get()
        return Array(bytes.prefix(got))
    }

    @inline(__always)
    private static func bigEndian(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    private static func magicProblem(found: UInt32, expected: UInt32) -> String {
        let hex = String(format: "0x%08x", found)
        let want = expected == imagesMagic ? "2051 (IDX images)" : "2049 (IDX labels)"
        switch found {
        case imagesMagic: return "magic number is 2051 (an image file) where a label file (2049) was expected; are the file names swapped?"
        case labelsMagic: return "magic number is 2049 (a label file) where an image file (2051) was expected; are the file names swapped?"
        case 0x0308_0000, 0x0108_0000: return "magic number \(hex) is byte-swapped (little-endian); expected \(want) big-endian"
        default: return "magic number is \(found) (\(hex)), expected \(want); this is not an MNIST IDX file"
        }
    }
}
