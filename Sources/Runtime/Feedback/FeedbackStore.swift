import Crypto
import Foundation
import Imaging
import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// The record kept beside each reported image.
public struct FeedbackRecord: Codable, Sendable, Equatable {
    public var trueLabel: Int
    public var predictedLabel: Int
    public var confidence: Double?
    public var modelSHA256: String?
    public var reportedAt: String
    public var originalName: String
    public var contentSHA256: String

    enum CodingKeys: String, CodingKey {
        case trueLabel = "true_label", predictedLabel = "predicted_label", confidence
        case modelSHA256 = "model_sha256", reportedAt = "reported_at", originalName = "original_name"
        case contentSHA256 = "content_sha256"
    }
}

/// The incorrect_predictions/ folder: one sub-folder per reported image, named by the image's content hash,
/// holding `original.<ext>` (the upload as it was), `digit.png` (its 28x28 MNIST-style form) and `record.json`.
///
/// Entries are written into a temporary folder and renamed into place, so a reader never sees half an entry and
/// two reports at the same moment both land; the same image reported twice is stored once.
public struct FeedbackStore: Sendable {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    public enum AddResult: Equatable, Sendable {
        case stored(URL)
        case alreadyStored(URL)
        /// The image was stored before with another true label; its record now has the new one.
        case relabelled(URL, from: Int)
    }

    public static func contentHash(_ data: Data) -> String {
        // Hex by table: `String(format:)` per byte cost more than the hash itself for a small upload.
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: data) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Stores one report. `original` is the uploaded file's bytes; `digit` its 28x28 form. A file that cannot be
    /// written (full disk, no permission) is a `FileError` naming the file and the system's reason.
    public func add(original: Data, originalName: String, digit: [UInt8], trueLabel: Int, predictedLabel: Int,
                    confidence: Double?, modelSHA256: String?) throws -> AddResult {
        // A blank image holds no digit to learn from; callers refuse it earlier with the file's path.
        guard digit.contains(where: { $0 != 0 }) else { throw NoInkFound(file: originalName) }
        let hash = Self.contentHash(original)
        let entry = folder.appendingPathComponent(String(hash.prefix(16)), isDirectory: true)
        let fm = FileManager.default
        let recordURL = entry.appendingPathComponent("record.json")
        if fm.fileExists(atPath: recordURL.path) {
            // Someone corrects a label they gave: keep the entry, rewrite its record (atomically).
            if var record = try? JSONDecoder().decode(FeedbackRecord.self, from: RegularFile.read(recordURL)),
               record.trueLabel != trueLabel {
                let old = record.trueLabel
                record.trueLabel = trueLabel
                record.reportedAt = Timestamp.string(Date())
                try AtomicFile.write(Self.encode(record), to: recordURL)
                return .relabelled(entry, from: old)
            }
            return .alreadyStored(entry)
        }
        try Folder.create(folder)
        let staging = folder.appendingPathComponent(".staging-\(hash.prefix(16))-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard mkdir(staging.path, 0o755) == 0 else {
            throw FileError(path: folder.path, reason: "cannot store feedback here: \(String(cString: strerror(errno)))")
        }
        defer { try? fm.removeItem(at: staging) }
        /// Errors name the file as it will be once stored, not its staging copy.
        func put(_ data: Data, _ name: String) throws {
            do {
                try AtomicFile.write(data, to: staging.appendingPathComponent(name))
            } catch let error as FileError {
                throw FileError(path: entry.appendingPathComponent(name).path, reason: "cannot store it: \(error.reason)")
            }
        }

        let ext = URL(fileURLWithPath: originalName).pathExtension.lowercased()
        let sniffed = ImageFile.format(of: original) == .jpeg ? "jpg" : "png"
        try put(original, "original." + (ext.isEmpty ? sniffed : ext))
        try put(PNG.encode(gray: digit, width: 28, height: 28), "digit.png")
        let record = FeedbackRecord(trueLabel: trueLabel, predictedLabel: predictedLabel, confidence: confidence,
                                    modelSHA256: modelSHA256, reportedAt: Timestamp.string(Date()),
                                    originalName: originalName, contentSHA256: hash)
        try put(Self.encode(record), "record.json")

        // rename(2) of a folder onto a missing name is atomic; if another process stored the same image first,
        // the target exists and is not empty, and that entry stands.
        if rename(staging.path, entry.path) == 0 {
            return .stored(entry)
        }
        if errno == EEXIST || errno == ENOTEMPTY {
            return .alreadyStored(entry)
        }
        throw FileError(path: entry.path, reason: String(cString: strerror(errno)))
    }

    static func encode(_ record: FeedbackRecord) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(record)
    }

    /// One stored or loose feedback image.
    public struct Item: Sendable {
        public var source: String
        public var digit: [UInt8]
        public var trueLabel: UInt8
        public var predictedLabel: UInt8
    }

    /// The folder's readable entries, in a stable order, and the ones that could not be used with the reason.
    /// Loose image files named with their label (`…true7…` or `…label_7…`, as older tools saved them) count too.
    /// Only regular files are read: a FIFO, socket or device in the folder is skipped with what it is, never
    /// opened (a FIFO would block); a feedback "folder" that is not a folder is one skipped item.
    public func readAll(preprocess: (GrayImage) -> [UInt8]) -> (items: [Item], skipped: [(String, String)]) {
        let fm = FileManager.default
        var st = stat()
        if stat(folder.path, &st) == 0, st.st_mode & S_IFMT != S_IFDIR {
            return ([], [(folder.lastPathComponent, "is \(RegularFile.kindName(mode: st.st_mode) ?? "a file"), not a folder")])
        }
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return ([], []) }
        var items: [Item] = []
        var skipped: [(String, String)] = []
        for name in names.sorted() where !name.hasPrefix(".") && name != "README.md" {
            let url = folder.appendingPathComponent(name)
            var isDir: ObjCBool = false
            fm.fileExists(atPath: url.path, isDirectory: &isDir)
            if isDir.boolValue {
                do {
                    let record = try Self.decodeRecord(RegularFile.read(url.appendingPathComponent("record.json")))
                    guard (0...9).contains(record.trueLabel) else { throw StepFailure("true_label \(record.trueLabel) is not a digit") }
                    let image = try ImageFile.read(contentsOf: url.appendingPathComponent("digit.png"))
                    guard image.width == 28, image.height == 28 else { throw StepFailure("digit.png is \(image.width)x\(image.height), not 28x28") }
                    // The name people uploaded, and the entry's folder to find it by.
                    items.append(Item(source: "\(record.originalName) (\(name))", digit: image.pixels, trueLabel: UInt8(record.trueLabel),
                                      predictedLabel: UInt8(clamping: record.predictedLabel)))
                } catch {
                    skipped.append((name, Self.oneLine(error)))
                }
            } else {
                guard let label = Self.labelInName(name) else {
                    skipped.append((name, "no label: store feedback with `stepwise feedback IMAGE --label N`, or name the file with true<N>"))
                    continue
                }
                do {
                    let image = try ImageFile.read(contentsOf: url)
                    items.append(Item(source: name, digit: preprocess(image), trueLabel: UInt8(label.true),
                                      predictedLabel: UInt8(label.predicted ?? 255)))
                } catch {
                    skipped.append((name, Self.oneLine(error)))
                }
            }
        }
        return (items, skipped)
    }

    /// Decodes a `record.json`; a malformed one (hand-written, or from another tool) throws a `StepFailure` with
    /// one line naming the field and what is wrong with it, never Swift's `DecodingError` dump.
    static func decodeRecord(_ data: Data) throws -> FeedbackRecord {
        do {
            return try JSONDecoder().decode(FeedbackRecord.self, from: data)
        } catch let error as DecodingError {
            throw StepFailure("record.json: " + Self.reason(error))
        }
    }

    /// The reason an entry was skipped, as one line for the log and the report (no multi-line error dumps).
    static func oneLine(_ error: any Error) -> String {
        let text: String
        switch error {
        case let e as DecodingError: text = reason(e)
        case let e as CocoaError where e.code == .fileReadNoSuchFile || e.code == .fileNoSuchFile:
            text = "\(e.filePath.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "a file") is missing"
        case let e as CocoaError: text = e.localizedDescription
        case let e as FileError where e.reason.hasPrefix(String(cString: strerror(ENOENT))):
            text = "\(URL(fileURLWithPath: e.path).lastPathComponent) is missing"
        case let e as FileError: text = "\(URL(fileURLWithPath: e.path).lastPathComponent): \(e.reason)"
        default: text = "\(error)"
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// One line for a decoding error: `field 'true_label' is missing`, `field 'true_label' should be a number`.
    static func reason(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            let names = (path + (key.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "the record" : "field '\(names.joined(separator: "."))'"
        }
        func kind(_ type: Any.Type) -> String {
            switch type {
            case is Int.Type, is Double.Type, is Float.Type, is UInt8.Type: "a number"
            case is String.Type: "a string"
            case is Bool.Type: "true or false"
            default: "\(type)"
            }
        }
        switch error {
        case let .keyNotFound(key, context):
            return "\(field(context.codingPath, key)) is missing"
        case let .valueNotFound(type, context):
            return "\(field(context.codingPath)) is null; it should be \(kind(type))"
        case let .typeMismatch(type, context):
            return "\(field(context.codingPath)) should be \(kind(type))"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(field(context.codingPath)) is malformed"
        @unknown default:
            return "cannot be read"
        }
    }

    /// `pred3_true8.png`, `img_label_7.png`, `7_true.png` is not matched (ambiguous).
    static func labelInName(_ name: String) -> (true: Int, predicted: Int?)? {
        let lower = name.lowercased()
        func digit(after key: String) -> Int? {
            guard let r = lower.range(of: key) else { return nil }
            var rest = lower[r.upperBound...]
            if rest.first == "_" || rest.first == "-" || rest.first == "=" { rest = rest.dropFirst() }
            guard let c = rest.first, let d = c.wholeNumberValue, c.isASCII else { return nil }
            return d
        }
        guard let t = digit(after: "true") ?? digit(after: "label") else { return nil }
        return (t, digit(after: "pred"))
    }
}
