import Foundation

/// Sequential reads from a file's content, whether stored raw or gzip-compressed. Reads go straight into the
/// caller's buffer (zlib inflates into it), so a 47-MB image file costs no per-byte Swift work.
protocol ByteSource {
    /// Fills as much of `buffer` as the content allows; returns the number of bytes written, 0 only at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int
}

extension ByteSource {
    /// Reads until `buffer` is full or the content ends; returns the number of bytes read.
    mutating func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads and discards the rest of the content; returns how many bytes there were.
    mutating func drain() throws(DataError) -> Int {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        var total = 0
        while true {
            let n = try read(into: scratch)
            if n == 0 { return total }
            total += n
        }
    }
}

/// The bytes of an uncompressed file.
struct RawSource: ByteSource {
    let data: Data
    private(set) var offset = 0

    init(data: Data) {
        self.data = data
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        let n = min(buffer.count, data.count - offset)
        guard n > 0 else { return 0 }
        data.withUnsafeBytes { raw in
            buffer.baseAddress!.copyMemory(from: raw.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
