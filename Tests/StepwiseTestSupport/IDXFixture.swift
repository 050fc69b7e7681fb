import CZlib
import Foundation

/// Builds small IDX files (raw or gzip) in a fresh temporary folder.
public struct IDXFixture {
    public let directory: URL

    public init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stepwise-datasets-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// `count` images whose pixel (i, p) is `(i * 7 + p) % 256`, so every image differs.
    public static func pixels(count: Int, side: Int = 28) -> [UInt8] {
        (0..<(count * side * side)).map { UInt8(($0 / (side * side) * 7 + $0) % 256) }
    }

    /// Labels 0, 1, …, 9, 0, … (starting at `shift`).
    public static func labels(count: Int, shift: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(($0 + shift) % 10) }
    }

    public static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    public static func imagesFile(_ pixels: [UInt8], count: Int, rows: Int = 28, columns: Int = 28,
                           magic: UInt32 = 2051) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(columns)) + pixels
    }

    public static func labelsFile(_ labels: [UInt8], count: Int? = nil, magic: UInt32 = 2049) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(count ?? labels.count)) + labels
    }

    /// gzip-compresses `bytes` with zlib (gzip wrapper: window bits 16 + 15).
    public static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { deflateEnd(stream); stream.deallocate() }
        let status = deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                   Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(bytes.count))) + 64)
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.pointee.next_in = inBuffer.baseAddress
                stream.pointee.avail_in = uInt(inBuffer.count)
                stream.pointee.next_out = outBuffer.baseAddress
                stream.pointee.avail_out = uInt(outBuffer.count)
                let result = deflate(stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
                return outBuffer.count - Int(stream.pointee.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }

    @discardableResult
    public func write(_ bytes: [UInt8], _ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Writes a consistent test split of `count` images, gzip-compressed or raw.
    public func writeSplit(prefix: String = "t10k", count: Int, gzip: Bool) throws {
        let images = Self.imagesFile(Self.pixels(count: count), count: count)
        let labels = Self.labelsFile(Self.labels(count: count))
        let suffix = gzip ? ".gz" : ""
        try write(gzip ? Self.gzip(images) : images, "\(prefix)-images-idx3-ubyte\(suffix)")
        try write(gzip ? Self.gzip(labels) : labels, "\(prefix)-labels-idx1-ubyte\(suffix)")
    }
}
