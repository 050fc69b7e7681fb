import Foundation
import Tensor

#if canImport(Glibc)
import Glibc
#endif

/// The content-addressed store of step outputs under `Outputs/.cache/objects/<2 hex>/<key>.safetensors`.
///
/// Each entry is one safetensors file written atomically. Its `__metadata__` carries the outputs' own metadata
/// plus the cache's fields (`stepwise.cache.*`): format, key, step, workflow, run, creation time, tensor byte
/// count, an XXH64 checksum per tensor, and an XXH64 checksum of the header itself (every other metadata field,
/// the outputs' own included, and each tensor's name, dtype and shape, in a canonical serialization), so every
/// byte that can reach a result is covered. Every read verifies all of them; an entry that fails is deleted and
/// reported (or, read-only, only reported), never returned. Entries of an older format, which lack the header
/// checksum, are misses. Entries are never overwritten in place, so flipping a parameter back finds the old entry.
public struct CacheStore: Sendable {
    /// `Outputs/.cache`.
    public let root: URL

    static let reservedPrefix = "stepwise.cache."
    /// The entry layout this code writes and trusts; entries of any other format are misses.
    static let format = "2"
    private enum Field {
        static let format = "stepwise.cache.format"
        static let header = "stepwise.cache.header"
        static let key = "stepwise.cache.key"
        static let step = "stepwise.cache.step"
        static let workflow = "stepwise.cache.workflow"
        static let run = "stepwise.cache.run"
        static let created = "stepwise.cache.created"
        static let bytes = "stepwise.cache.bytes"
        static let checksums = "stepwise.cache.checksums"
    }

    public init(root: URL) {
        self.root = root
    }

    /// The cache of an outputs folder: `<outputs>/.cache`.
    public init(outputs: URL) {
        self.root = outputs.appendingPathComponent(".cache", isDirectory: true)
    }

    public var objects: URL { root.appendingPathComponent("objects", isDirectory: true) }

    public func url(for key: CacheKey) -> URL {
        objects.appendingPathComponent(String(key.hex.prefix(2)), isDirectory: true)
            .appendingPathComponent("\(key.hex).safetensors")
    }

    // MARK: Writing

    /// Stores a step's outputs under `key`, replacing any entry with that key.
    @discardableResult
    public func store(_ outputs: CachedOutputs, key: CacheKey, step: String, workflow: String, runID: String,
                      now: Date = Date()) throws -> CacheEntryInfo {
        if let reserved = outputs.metadata.keys.sorted().first(where: { $0.hasPrefix(Self.reservedPrefix) }) {
            throw CacheError("output metadata of step \(step) uses the name '\(reserved)'; names starting with "
                + "'\(Self.reservedPrefix)' belong to the cache, rename it")
        }
        var container = SafeTensors(entries: outputs.tensors, metadata: outputs.metadata)
        var checksums: [String: String] = [:]
        var bytes = 0
        for (name, entry) in outputs.tensors {
            guard entry.data.count == entry.elementCount * entry.dtype.byteSize else {
                throw CacheError("output tensor '\(name)' of step \(step) has \(entry.data.count) bytes but shape "
                    + "\(entry.shape) of \(entry.dtype.rawValue) needs \(entry.elementCount * entry.dtype.byteSize)")
            }
            checksums[name] = Self.checksum(entry.data)
            bytes += entry.data.count
        }
        container.metadata[Field.key] = key.hex
        container.metadata[Field.step] = step
        container.metadata[Field.workflow] = workflow
        container.metadata[Field.run] = runID
        container.metadata[Field.created] = Timestamp.string(now)
        container.metadata[Field.bytes] = String(bytes)
        container.metadata[Field.checksums] = Self.encodeChecksums(checksums)
        container.metadata[Field.format] = Self.format
        container.metadata[Field.header] = Self.headerChecksum(container)
        let url = url(for: key)
        let parts = container.serializedParts()
        // No fsync: an entry is recomputable and checksummed, so one lost or torn by a power cut is detected and
        // rebuilt; flushing 47 MB of training images would cost more than the step that made them.
        try AtomicFile.write(parts: parts, to: url, durable: false)
        return CacheEntryInfo(key: key, step: step, workflow: workflow, runID: runID, created: now, lastUsed: now,
                              fileBytes: parts.reduce(0) { $0 + $1.count })
    }

    // MARK: Reading

    /// The entry for `key`, verified: its tensors are slices of a memory map of the file.
    /// A corrupt or truncated entry is reported as `.discarded` and deleted, unless `readOnly` (what `plan`
    /// uses: it writes nothing, so it neither deletes the entry nor marks it used).
    public func load(_ key: CacheKey, readOnly: Bool = false) -> CacheLookup {
        let url = url(for: key)
        let container: SafeTensors
        do {
            container = try SafeTensors.read(contentsOf: url)
        } catch let error as FileError {
            if !FileManager.default.fileExists(atPath: url.path) { return .miss }
            return discard(key, url, "cannot read it: \(error.reason)", readOnly: readOnly)
        } catch {
            return discard(key, url, "\(error)", readOnly: readOnly)
        }
        // An entry written before headers were checksummed cannot be trusted, nor is it damaged: recompute it.
        if container.metadata[Field.format] == nil, container.metadata[Field.header] == nil,
           container.metadata[Field.key] == key.hex {
            return .miss
        }
        switch verify(container, key: key) {
        case .failure(let problem):
            return discard(key, url, problem.message, readOnly: readOnly)
        case .success(let info):
            // The modification time doubles as "last used"; refreshing it is one syscall, no rewrite.
            if !readOnly { utimensat(AT_FDCWD, url.path, nil, 0) }
            var outputs = CachedOutputs(tensors: container.entries, metadata: container.metadata)
            for name in outputs.metadata.keys where name.hasPrefix(Self.reservedPrefix) {
                outputs.metadata[name] = nil
            }
            var used = info
            used.lastUsed = Date()
            return .hit(outputs, used)
        }
    }

    /// The `__metadata__` of the entry for `key`, from its header alone (nothing verified, tensor data not read),
    /// or nil if there is no readable entry. For cheap questions whose answer a full `load` then confirms.
    public func header(of key: CacheKey) -> [String: String]? {
        guard let container = try? SafeTensors(data: MappedFile.map(url(for: key))) else { return nil }
        return container.metadata
    }

    /// Whether `key` has a verified entry and the run that made it; corrupt entries are passed to `report` and
    /// deleted (kept when `readOnly`). This is the answer the planner needs.
    public func presence(of key: CacheKey, readOnly: Bool = false, report: (CacheWarning) -> Void) -> String? {
        switch load(key, readOnly: readOnly) {
        case .hit(_, let info): return info.runID
        case .miss: return nil
        case .discarded(let warning):
            report(warning)
            return nil
        }
    }

    /// Every entry's description from its header alone (tensor data is not read or verified), sorted by
    /// workflow, step and creation time. Files that are not readable entries are left out.
    public func entries() throws -> [CacheEntryInfo] {
        var result: [CacheEntryInfo] = []
        for url in try entryFiles() {
            guard let key = CacheKey(hex: url.deletingPathExtension().lastPathComponent),
                  let container = try? SafeTensors(data: MappedFile.map(url)),
                  let info = describe(container.metadata, key: key, url: url)
            else { continue }
            result.append(info)
        }
        return result.sorted { ($0.workflow, $0.step, $0.created) < ($1.workflow, $1.step, $1.created) }
    }

    /// Every `<key>.safetensors` file under `objects/`, readable or not.
    public func entryFiles() throws -> [URL] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: objects.path) else { return [] }
        var files: [URL] = []
        let shards = try fm.contentsOfDirectory(atPath: objects.path).sorted()
        for shard in shards where shard.utf8.count == 2 {
            let dir = objects.appendingPathComponent(shard, isDirectory: true)
            guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names.sorted() where name.hasSuffix(".safetensors") && !name.hasPrefix(".") {
                files.append(dir.appendingPathComponent(name))
            }
        }
        return files
    }

    /// Deletes the entry for `key`; returns the bytes freed (0 if there was none).
    @discardableResult
    public func remove(_ key: CacheKey) throws -> Int {
        let url = url(for: key)
        let size = fileSize(url) ?? 0
        guard unlink(url.path) == 0 || errno == ENOENT else {
            throw CacheError("cannot delete cache entry \(url.path): \(String(cString: strerror(errno)))")
        }
        return size
    }

    // MARK: Verification

    private func verify(_ container: SafeTensors, key: CacheKey) -> Result<CacheEntryInfo, CacheError> {
        let meta = container.metadata
        guard meta[Field.format] == Self.format else {
            return .failure(CacheError("its format is \(meta[Field.format] ?? "missing"), expected \(Self.format)"))
        }
        guard let header = meta[Field.header] else {
            return .failure(CacheError("its header checksum is missing"))
        }
        let actualHeader = Self.headerChecksum(container)
        guard actualHeader == header else {
            return .failure(CacheError("its header (metadata, tensor names, dtypes or shapes) has checksum "
                + "\(actualHeader), expected \(header)"))
        }
        guard meta[Field.key] == key.hex else {
            return .failure(CacheError("it records key \(meta[Field.key] ?? "none") instead of \(key.hex)"))
        }
        guard let recorded = meta[Field.checksums].flatMap(Self.decodeChecksums) else {
            return .failure(CacheError("its checksums are missing or unreadable"))
        }
        let bytes = container.entries.values.reduce(0) { $0 + $1.data.count }
        guard meta[Field.bytes] == String(bytes) else {
            return .failure(CacheError("it holds \(bytes) tensor bytes, its header says \(meta[Field.bytes] ?? "none")"))
        }
        guard Set(recorded.keys) == Set(container.entries.keys) else {
            return .failure(CacheError("its tensors \(container.names) differ from the checksummed ones \(recorded.keys.sorted())"))
        }
        for name in container.names {
            let actual = Self.checksum(container.entries[name]!.data)
            guard actual == recorded[name] else {
                return .failure(CacheError("tensor '\(name)' has checksum \(actual), expected \(recorded[name]!)"))
            }
        }
        guard let info = describe(meta, key: key, url: url(for: key)) else {
            return .failure(CacheError("its step, workflow, run or creation time is missing"))
        }
        return .success(info)
    }

    private func describe(_ meta: [String: String], key: CacheKey, url: URL) -> CacheEntryInfo? {
        guard let step = meta[Field.step], let workflow = meta[Field.workflow], let run = meta[Field.run],
              let created = meta[Field.created].flatMap(Timestamp.date)
        else { return nil }
        var st = stat()
        guard stat(url.path, &st) == 0 else { return nil }
        let lastUsed = Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec) + TimeInterval(st.st_mtim.tv_nsec) / 1e9)
        return CacheEntryInfo(key: key, step: step, workflow: workflow, runID: run, created: created,
                              lastUsed: lastUsed, fileBytes: Int(st.st_size))
    }

    private func discard(_ key: CacheKey, _ url: URL, _ reason: String, readOnly: Bool) -> CacheLookup {
        if !readOnly { unlink(url.path) }
        return .discarded(CacheWarning(key: key, path: url.path, reason: reason, deleted: !readOnly))
    }

    private func fileSize(_ url: URL) -> Int? {
        var st = stat()
        return stat(url.path, &st) == 0 ? Int(st.st_size) : nil
    }

    static func checksum(_ data: Data) -> String {
        "xxh64:" + hex16(XXHash64.hash(data))
    }

    /// The checksum of everything in an entry's header but itself: every metadata field and value, then each
    /// tensor's name, dtype and shape, in UTF-8 byte order, each string preceded by its byte length (so no two
    /// different headers serialize alike). Tensor data is covered by the per-tensor checksums, which this covers.
    static func headerChecksum(_ container: SafeTensors) -> String {
        func sorted(_ names: some Sequence<String>) -> [String] {
            names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        var text = "stepwise cache header\n"
        func append(_ field: String) { text += "\(field.utf8.count):\(field)\n" }
        for name in sorted(container.metadata.keys) where name != Field.header {
            append(name)
            append(container.metadata[name]!)
        }
        for name in sorted(container.entries.keys) {
            let entry = container.entries[name]!
            append(name)
            append(entry.dtype.rawValue)
            append(entry.shape.map(String.init).joined(separator: ","))
        }
        return checksum(Data(text.utf8))
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private static func encodeChecksums(_ checksums: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(checksums)) ?? Data("{}".utf8), as: UTF8.self)
    }

    private static func decodeChecksums(_ text: String) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }
}
