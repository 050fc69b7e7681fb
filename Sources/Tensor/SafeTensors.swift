import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Element types a safetensors file may hold that Stepwise reads and writes.
public enum DType: String, Sendable, CaseIterable {
    case f32 = "F32"
    case f64 = "F64"
    case u8 = "U8"
    case i32 = "I32"
    case i64 = "I64"

    public var byteSize: Int {
        switch self {
        case .u8: 1
        case .f32, .i32: 4
        case .f64, .i64: 8
        }
    }
}

/// One named tensor inside a safetensors container: raw little-endian bytes plus dtype and shape.
public struct TensorEntry: Sendable {
    public var dtype: DType
    public var shape: [Int]
    /// Exactly `shape.product * dtype.byteSize` bytes. When read from disk this is a slice of a memory map.
    public var data: Data

    public init(dtype: DType, shape: [Int], data: Data) {
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// What can go wrong reading a safetensors file. Every case says which tensor or what part of the file.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A safetensors container (https://github.com/huggingface/safetensors): an 8-byte little-endian header length,
/// a JSON header naming each tensor's dtype, shape and byte range, then the tensor bytes.
///
/// Writing is deterministic (tensors and JSON keys sorted), so equal contents give equal bytes.
public struct SafeTensors: Sendable {
    public var entries: [String: TensorEntry]
    /// `__metadata__`: string keys to string values, as the format requires.
    public var metadata: [String: String]

    public init(entries: [String: TensorEntry] = [:], metadata: [String: String] = [:]) {
        self.entries = entries
        self.metadata = metadata
    }

    public var names: [String] { entries.keys.sorted() }

    // MARK: Typed access

    public mutating func set(_ name: String, _ tensor: Tensor) {
        let data = tensor.scalars.withUnsafeBufferPointer { Data(buffer: $0) }
        entries[name] = TensorEntry(dtype: .f32, shape: tensor.shape, data: data)
    }

    public mutating func set(_ name: String, bytes: [UInt8], shape: [Int]) {
        precondition(shape.reduce(1, *) == bytes.count)
        entries[name] = TensorEntry(dtype: .u8, shape: shape, data: bytes.withUnsafeBufferPointer { Data(buffer: $0) })
    }

    public mutating func set(_ name: String, int32 values: [Int32], shape: [Int]) {
        precondition(shape.reduce(1, *) == values.count)
        let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
        entries[name] = TensorEntry(dtype: .i32, shape: shape, data: data)
    }

    private func entry(_ name: String, _ dtype: DType) throws -> TensorEntry {
        guard let entry = entries[name] else {
            throw SafeTensorsError("no tensor named '\(name)' (has: \(names.joined(separator: ", ")))")
        }
        guard entry.dtype == dtype else {
            throw SafeTensorsError("tensor '\(name)' is \(entry.dtype.rawValue), expected \(dtype.rawValue)")
        }
        return entry
    }

    /// The named F32 tensor, copied out of the container.
    public func tensor(_ name: String) throws -> Tensor {
        let entry = try entry(name, .f32)
        var scalars = [Float](repeating: 0, count: entry.elementCount)
        scalars.withUnsafeMutableBytes { dst in
            entry.data.withUnsafeBytes { src in dst.copyMemory(from: src) }
        }
        return Tensor(shape: entry.shape, scalars: scalars)
    }

    /// The named U8 tensor's bytes and shape, copied out of the container.
    public func bytes(_ name: String) throws -> (bytes: [UInt8], shape: [Int]) {
        let entry = try entry(name, .u8)
        let bytes = [UInt8](unsafeUninitializedCapacity: entry.data.count) { buffer, count in
            entry.data.withUnsafeBytes { src in
                if let base = src.baseAddress { buffer.baseAddress!.update(from: base.assumingMemoryBound(to: UInt8.self), count: src.count) }
            }
            count = entry.data.count
        }
        return (bytes, entry.shape)
    }

    /// The named I32 tensor's values and shape.
    public func int32(_ name: String) throws -> (values: [Int32], shape: [Int]) {
        let entry = try entry(name, .i32)
        var values = [Int32](repeating: 0, count: entry.elementCount)
        values.withUnsafeMutableBytes { dst in
            entry.data.withUnsafeBytes { src in dst.copyMemory(from: src) }
        }
        return (values, entry.shape)
    }

    // MARK: Encoding

    /// The file's bytes: header length, JSON header padded with spaces to a multiple of 8, tensor data.
    public func serialized() -> Data {
        var out = Data()
        for part in serializedParts() { out.append(part) }
        return out
    }

    /// The file's bytes in pieces (header, then each tensor's data in file order), so a writer can stream them
    /// without first copying every tensor into one buffer.
    public func serializedParts() -> [Data] {
        var header = "{"
        var offset = 0
        var parts: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        for name in names {
            let entry = entries[name]!
            let end = offset + entry.data.count
            let shape = entry.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var head = Data(capacity: 8 + headerBytes.count)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { head.append(contentsOf: $0) }
        head.append(contentsOf: headerBytes)
        return [head] + names.map { entries[$0]!.data }
    }

    /// Writes the file atomically: a temporary file in the same folder, flushed, then renamed over `url`.
    public func write(to url: URL) throws {
        try AtomicFile.write(parts: serializedParts(), to: url)
    }

    // MARK: Decoding

    /// Parses a container, checking the header, dtypes, shapes and that byte ranges tile the data exactly.
    public init(data: Data) throws {
        guard data.count >= 8 else {
            throw SafeTensorsError("file is \(data.count) bytes, too short for a safetensors header")
        }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8), headerLength < 100_000_000 else {
            throw SafeTensorsError("header length \(headerLength) exceeds the file's \(data.count) bytes (truncated?)")
        }
        let start = data.startIndex
        let headerData = data[(start + 8)..<(start + 8 + Int(headerLength))]
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerData)
        } catch {
            throw SafeTensorsError("header is not valid JSON")
        }
        guard let header = json as? [String: Any] else {
            throw SafeTensorsError("header is not a JSON object")
        }
        let body = data[(start + 8 + Int(headerLength))...]
        var entries: [String: TensorEntry] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(Int, Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let dict = value as? [String: Any] else { throw SafeTensorsError("__metadata__ is not an object") }
                for (k, v) in dict {
                    guard let s = v as? String else { throw SafeTensorsError("__metadata__[\(k)] is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shapeValues = info["shape"] as? [Any],
                  let offsets = info["data_offsets"] as? [Any], offsets.count == 2
            else { throw SafeTensorsError("tensor '\(name)': header entry lacks dtype, shape or data_offsets") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw SafeTensorsError("tensor '\(name)': unsupported dtype \(dtypeName)")
            }
            let shape = try shapeValues.map { v -> Int in
                guard let n = (v as? NSNumber)?.intValue, n >= 0 else {
                    throw SafeTensorsError("tensor '\(name)': bad shape \(shapeValues)")
                }
                return n
            }
            guard let begin = (offsets[0] as? NSNumber)?.intValue, let end = (offsets[1] as? NSNumber)?.intValue,
                  begin >= 0, end >= begin, end <= body.count
            else {
                throw SafeTensorsError("tensor '\(name)': data_offsets \(offsets) outside the \(body.count) data bytes (truncated?)")
            }
            guard end - begin == shape.reduce(1, *) * dtype.byteSize else {
                throw SafeTensorsError("tensor '\(name)': \(end - begin) bytes do not match shape \(shape) of \(dtype.rawValue)")
            }
            let base = body.startIndex
            entries[name] = TensorEntry(dtype: dtype, shape: shape, data: body[(base + begin)..<(base + end)])
            ranges.append((begin, end))
        }
        ranges.sort { $0.0 < $1.0 }
        var cursor = 0
        for (begin, end) in ranges {
            guard begin == cursor else { throw SafeTensorsError("tensor data ranges overlap or leave gaps at byte \(cursor)") }
            cursor = end
        }
        guard cursor == body.count else {
            throw SafeTensorsError("file has \(body.count - cursor) bytes after the last tensor")
        }
        self.entries = entries
        self.metadata = metadata
    }

    /// Reads a file through a read-only memory map: tensor bytes are paged in only when touched.
    public static func read(contentsOf url: URL) throws -> SafeTensors {
        try SafeTensors(data: MappedFile.map(url))
    }
}

private func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
