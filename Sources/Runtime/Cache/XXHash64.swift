import Foundation

/// XXH64 (https://github.com/Cyan4973/xxHash, spec in doc/xxhash_spec.md), the checksum of cache entries' tensor data.
///
/// Chosen over zlib's crc32 for speed: four independent 64-bit lanes run several bytes per cycle, so the 47 MB of
/// MNIST training images verify in a few milliseconds, well inside the budget for loading a cached entry.
/// It guards against corruption and truncation, not against tampering; cache keys use SHA-256.
public enum XXHash64 {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// The XXH64 of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return finish(seed &+ p5, remaining: bytes, from: 0) }
        var offset = 0
        var acc: UInt64
        if count >= 32 {
            var v1 = seed &+ p1 &+ p2
            var v2 = seed &+ p2
            var v3 = seed
            var v4 = seed &- p1
            let limit = count - 32
            while offset <= limit {
                v1 = round(v1, load(base, offset))
                v2 = round(v2, load(base, offset + 8))
                v3 = round(v3, load(base, offset + 16))
                v4 = round(v4, load(base, offset + 24))
                offset += 32
            }
            acc = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            acc = merge(acc, v1)
            acc = merge(acc, v2)
            acc = merge(acc, v3)
            acc = merge(acc, v4)
        } else {
            acc = seed &+ p5
        }
        acc &+= UInt64(count)
        return finish(acc, remaining: bytes, from: offset)
    }

    /// The XXH64 of a byte collection such as `Data` or `[UInt8]`.
    public static func hash(_ bytes: some ContiguousBytes, seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    @inline(__always)
    private static func load(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always)
    private static func round(_ acc: UInt64, _ lane: UInt64) -> UInt64 {
        rotl(acc &+ lane &* p2, 31) &* p1
    }

    @inline(__always)
    private static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    private static func finish(_ initial: UInt64, remaining bytes: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        var acc = initial
        var i = offset
        let count = bytes.count
        if count == 0 { return avalanche(acc) }
        let base = bytes.baseAddress!
        while i + 8 <= count {
            acc ^= round(0, load(base, i))
            acc = rotl(acc, 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= count {
            let lane = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
            acc ^= lane &* p1
            acc = rotl(acc, 23) &* p2 &+ p3
            i += 4
        }
        while i < count {
            acc ^= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &* p5
            acc = rotl(acc, 11) &* p1
            i += 1
        }
        return avalanche(acc)
    }

    @inline(__always)
    private static func avalanche(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        h ^= h >> 32
        return h
    }
}
