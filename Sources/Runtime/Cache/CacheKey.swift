import Crypto
import Foundation

/// A step's cache key: the SHA-256 of everything that decides its outputs, as 64 lowercase hex digits.
public struct CacheKey: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let hex: String

    /// Accepts exactly 64 lowercase hex digits, the form keys are written in.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        self.hex = hex
    }

    /// The version of the encoding below. 2: canonical header, layers, seed and threads instead of the step's
    /// normalised text (keys of format 1 can never be built again, so their entries are never read).
    public static let formatVersion = 2

    /// The key of a step with these fingerprint parts, reading the outputs of steps with `inputKeys` (in input
    /// order), under runner `version`.
    ///
    /// Every field is written with its byte length, so no two different field lists share an encoding
    /// (a parameter value containing "\n" or "=" cannot impersonate another field).
    public init(fingerprint: StepFingerprint, inputKeys: [CacheKey], runnerVersion: String) {
        var encoding = Data()
        func field(_ tag: String, _ value: String) {
            encoding.append(contentsOf: Array("\(tag) \(value.utf8.count):".utf8))
            encoding.append(contentsOf: Array(value.utf8))
            encoding.append(0x0A)
        }
        field("stepwise-cache-key", String(Self.formatVersion))
        field("runner", runnerVersion)
        field("step", fingerprint.text)
        for layer in fingerprint.layers {
            field("layer", layer)
        }
        for name in fingerprint.parameters.keys.sorted() {
            field("parameter", "\(name)=\(fingerprint.parameters[name]!)")
        }
        if let seed = fingerprint.seed { field("seed", String(seed)) }
        if let threads = fingerprint.threads { field("threads", String(threads)) }
        for key in inputKeys {
            field("input", key.hex)
        }
        for path in fingerprint.files.keys.sorted() {
            field("file", path)
            field("content", fingerprint.files[path]!)
        }
        hex = SHA256.hash(data: encoding).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }

    /// The first 12 hex digits, enough to tell entries apart in listings.
    public var prefix: String { String(hex.prefix(12)) }

    public var description: String { hex }

    public static func < (lhs: CacheKey, rhs: CacheKey) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let key = CacheKey(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container,
                                                   debugDescription: "'\(text)' is not a 64-digit lowercase hex cache key")
        }
        self = key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
