import CZlib
import Foundation

/// The inflated bytes of a gzip file, decompressed on demand by zlib (gzip header and CRC-32 checked by zlib).
/// Concatenated gzip members, which `gzip` itself produces and accepts, are read as one stream.
final class GzipSource: ByteSource {
    static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    private let data: Data
    private let path: String
    /// zlib keeps a pointer back to the stream and checks it on every call, so the stream must never move.
    private let stream: UnsafeMutablePointer<z_stream>
    private var consumed = 0
    private var finished = false

    init(data: Data, path: String) throws(DataError) {
        self.data = data
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + MAX_WBITS: expect a gzip wrapper rather than a zlib one.
        let status = inflateInit2_(stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw DataError(.unreadable, file: path, "zlib could not start inflating (status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        if finished || buffer.isEmpty { return 0 }
        var produced = 0
        while produced < buffer.count && !finished {
            let (status, used, made) = data.withUnsafeBytes { raw in
                let input = min(raw.count - consumed, Int(UInt32.max))
                stream.pointee.next_in = UnsafeMutablePointer(mutating: raw.baseAddress!
                    .advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(input)
                let room = min(buffer.count - produced, Int(UInt32.max))
                stream.pointee.next_out = (buffer.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(room)
                let status = inflate(stream, Z_NO_FLUSH)
                return (status, input - Int(stream.pointee.avail_in), room - Int(stream.pointee.avail_out))
            }
            consumed += used
            produced += made
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                try nextMember()
            case Z_BUF_ERROR where consumed == data.count:
                throw DataError(.corrupt, file: path,
                                "the gzip stream is truncated (all \(data.count) compressed bytes used, end of stream not reached); download the file again")
            case Z_BUF_ERROR where used > 0 || made > 0:
                continue
            case Z_MEM_ERROR:
                throw DataError(.unreadable, file: path, "zlib ran out of memory while inflating")
            default:
                throw DataError(.corrupt, file: path, "bad gzip data at compressed byte \(consumed): \(zlibMessage(status))")
            }
        }
        return produced
    }

    /// After one gzip member ends: stop at the end of the file, start the next member, or reject trailing junk.
    private func nextMember() throws(DataError) {
        if consumed == data.count {
            finished = true
            return
        }
        let rest = data.count - consumed
        guard rest >= 2, data[data.startIndex + consumed] == 0x1F, data[data.startIndex + consumed + 1] == 0x8B else {
            throw DataError(.corrupt, file: path, "\(rest) bytes of unexpected data after the end of the gzip stream")
        }
        inflateReset(stream)
    }

    private func zlibMessage(_ status: Int32) -> String {
        if let message = stream.pointee.msg { return String(cString: message) }
        return "zlib status \(status)"
    }
}
