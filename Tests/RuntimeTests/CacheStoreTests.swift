import Foundation
import Runtime
import Tensor
import Testing

#if canImport(Glibc)
import Glibc
#endif

struct CacheStoreTests {
    let dir: TemporaryDirectory
    let store: CacheStore
    let key = CacheKey(fingerprint: StepFingerprint(text: "load mnist"), inputKeys: [], runnerVersion: "0.1.0")
    let created = Date(timeIntervalSince1970: 1_795_309_323) // 2026-11-22T01:02:03Z

    init() throws {
        dir = try TemporaryDirectory()
        store = CacheStore(outputs: dir.url)
    }

    static func outputs() -> CachedOutputs {
        var container = SafeTensors()
        container.set("images", bytes: (0..<(3 * 28 * 28)).map { UInt8($0 % 251) }, shape: [3, 28, 28])
        container.set("labels", int32: [7, 2, 1], shape: [3])
        container.set("weights", Tensor(shape: [2, 2], scalars: [0.5, -1.25, 3, 4]))
        return CachedOutputs(tensors: container.entries, metadata: ["outputs": #"{"count":3}"#])
    }

    @discardableResult
    func storeOne() throws -> CacheEntryInfo {
        try store.store(Self.outputs(), key: key, step: "load", workflow: "train", runID: "2026-11-22T01:02:03Z",
                        now: created)
    }

    func hit() throws -> (CachedOutputs, CacheEntryInfo) {
        guard case .hit(let outputs, let info) = store.load(key) else {
            Issue.record("expected a cache hit for \(key.prefix)")
            throw CacheError("no hit")
        }
        return (outputs, info)
    }

    func expectDiscarded(reasonContaining fragment: String) {
        guard case .discarded(let warning) = store.load(key) else {
            Issue.record("expected the corrupt entry to be discarded")
            return
        }
        #expect(warning.key == key)
        #expect(warning.reason.contains(fragment), "reason: \(warning.reason)")
        #expect(warning.description.hasPrefix("warning: cache entry \(key.prefix) is corrupt ("))
        #expect(!FileManager.default.fileExists(atPath: store.url(for: key).path))
        if case .miss = store.load(key) {} else { Issue.record("a discarded entry must be gone") }
    }

    @Test func entryLivesUnderItsKeyPrefix() {
        let path = store.url(for: key).path
        #expect(path.hasSuffix("/.cache/objects/\(key.hex.prefix(2))/\(key.hex).safetensors"))
    }

    @Test func roundTrip() throws {
        try storeOne()
        let (outputs, info) = try hit()
        #expect(outputs.metadata == ["outputs": #"{"count":3}"#])
        let container = SafeTensors(entries: outputs.tensors)
        #expect(try container.bytes("images").bytes == (0..<(3 * 28 * 28)).map { UInt8($0 % 251) })
        #expect(try container.int32("labels").values == [7, 2, 1])
        #expect(try container.tensor("weights").scalars == [0.5, -1.25, 3, 4])
        #expect(info.step == "load" && info.workflow == "train" && info.runID == "2026-11-22T01:02:03Z")
        #expect(info.created == created)
        #expect(store.presence(of: key, report: { _ in Issue.record("no warning expected") }) == "2026-11-22T01:02:03Z")
    }

    @Test func entryIsAPlainSafetensorsFileWithChecksums() throws {
        try storeOne()
        let raw = try SafeTensors.read(contentsOf: store.url(for: key))
        #expect(raw.metadata["stepwise.cache.key"] == key.hex)
        let expectedBytes: Int = 3 * 28 * 28 + 3 * 4 + 4 * 4
        #expect(raw.metadata["stepwise.cache.bytes"] == String(expectedBytes))
        let checksums = try #require(raw.metadata["stepwise.cache.checksums"])
        #expect(checksums.contains(#""images":"xxh64:"#))
    }

    @Test func missingEntryIsAMiss() {
        if case .miss = store.load(key) {} else { Issue.record("expected a miss") }
        #expect(store.presence(of: key, report: { _ in Issue.record("no warning expected") }) == nil)
    }

    @Test func reservedMetadataNamesAreRejected() {
        var outputs = Self.outputs()
        outputs.metadata["stepwise.cache.key"] = "mine"
        #expect(throws: CacheError.self) {
            try store.store(outputs, key: key, step: "load", workflow: "train", runID: "r")
        }
    }

    @Test func flippedTensorByteIsDetectedAndDiscarded() throws {
        try storeOne()
        let url = store.url(for: key)
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count - 20] ^= 0x01 // inside the last tensor's data
        try bytes.write(to: url)
        expectDiscarded(reasonContaining: "has checksum xxh64:")
    }

    @Test func flippedHeaderByteIsDetectedAndDiscarded() throws {
        try storeOne()
        let url = store.url(for: key)
        var bytes = try Data(contentsOf: url)
        bytes[9] ^= 0x20 // the header's first key turns into something else
        try bytes.write(to: url)
        guard case .discarded = store.load(key) else {
            Issue.record("expected a discarded entry")
            return
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    /// Issue 10 part 9: one character of an output's metadata flipped (`"std":0.3081` to `0.2081`), the header
    /// length unchanged. The tensor checksums still match; the header checksum does not.
    @Test func flippedMetadataCharacterIsDetectedAndDiscarded() throws {
        var outputs = Self.outputs()
        outputs.metadata["normalization"] = #"{"mean":0.1307,"std":0.3081}"#
        try store.store(outputs, key: key, step: "train", workflow: "train", runID: "r", now: created)
        let url = store.url(for: key)
        var bytes = try Data(contentsOf: url)
        let at = try #require(bytes.range(of: Data("0.3081".utf8))).lowerBound
        bytes[at + 2] = UInt8(ascii: "2")
        try bytes.write(to: url)
        #expect(try SafeTensors.read(contentsOf: url).metadata["normalization"] == #"{"mean":0.1307,"std":0.2081}"#)
        expectDiscarded(reasonContaining: "its header (metadata, tensor names, dtypes or shapes) has checksum")
    }

    /// A tensor's shape in the header changed to another of the same size (`[3]` to `[1,3]` would change the
    /// length; `[2,2]` to `[4,1]` does not): its data checksum still matches, the header's does not.
    @Test func changedTensorShapeIsDetected() throws {
        try storeOne()
        let url = store.url(for: key)
        var bytes = try Data(contentsOf: url)
        let at = try #require(bytes.range(of: Data(#""shape":[2,2]"#.utf8))).lowerBound
        bytes.replaceSubrange(at..<(at + 13), with: Data(#""shape":[4,1]"#.utf8))
        try bytes.write(to: url)
        expectDiscarded(reasonContaining: "its header")
    }

    /// Entries from before the header checksum (no `stepwise.cache.format`) are not trusted, nor called corrupt:
    /// they are misses, and the step's new entry replaces them.
    @Test func entryOfTheOldFormatIsAMiss() throws {
        try storeOne()
        let url = store.url(for: key)
        var container = try SafeTensors.read(contentsOf: url)
        container.metadata["stepwise.cache.format"] = nil
        container.metadata["stepwise.cache.header"] = nil
        try container.write(to: url)
        if case .miss = store.load(key) {} else { Issue.record("an entry of the old format must be a miss") }
        #expect(store.presence(of: key, report: { _ in Issue.record("no warning expected") }) == nil)
        try storeOne()
        _ = try hit()
    }

    /// `plan` writes nothing: it reports a corrupt entry but leaves it (and its last-used time) for `run`.
    @Test func readOnlyLookupReportsButKeepsACorruptEntry() throws {
        try storeOne()
        let url = store.url(for: key)
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count - 20] ^= 0x01
        try bytes.write(to: url)
        var warnings: [CacheWarning] = []
        #expect(store.presence(of: key, readOnly: true) { warnings.append($0) } == nil)
        #expect(warnings.count == 1)
        #expect(warnings.first?.deleted == false)
        #expect(warnings.first?.description.contains("deleted") == false)
        #expect(warnings.first?.description.hasPrefix("warning: cache entry \(key.prefix) is corrupt (") == true)
        #expect(FileManager.default.fileExists(atPath: url.path))
        expectDiscarded(reasonContaining: "has checksum xxh64:")
    }

    /// A verified read-only lookup does not refresh the entry's last-used time either.
    @Test func readOnlyHitLeavesTheEntryUntouched() throws {
        try storeOne()
        let url = store.url(for: key)
        var old = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, url.path, &old, 0) == 0)
        #expect(store.presence(of: key, readOnly: true, report: { _ in Issue.record("no warning expected") }) != nil)
        var st = stat()
        #expect(stat(url.path, &st) == 0 && st.st_mtim.tv_sec == 1_000_000_000)
    }

    @Test func truncatedEntryIsDetectedAndDiscarded() throws {
        try storeOne()
        let url = store.url(for: key)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 100).write(to: url)
        expectDiscarded(reasonContaining: "truncated")
    }

    @Test func entryUnderTheWrongNameIsDiscarded() throws {
        try storeOne()
        let other = CacheKey(fingerprint: StepFingerprint(text: "other"), inputKeys: [], runnerVersion: "0.1.0")
        try FileManager.default.createDirectory(at: store.url(for: other).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: store.url(for: key), to: store.url(for: other))
        guard case .discarded(let warning) = store.load(other) else {
            Issue.record("expected a discarded entry")
            return
        }
        #expect(warning.reason == "it records key \(key.hex) instead of \(other.hex)")
    }

    /// The whole path a run takes: a corrupt entry is reported while planning, the step runs again
    /// (cache entry missing) and its new entry is used afterwards.
    @Test func corruptEntryIsRecomputed() throws {
        let steps = [PlanStep(name: "load", fingerprint: StepFingerprint(text: "load mnist"))]
        let planner = Planner(workflow: "train", steps: steps, runnerVersion: "0.1.0", previous: PreviousRun(steps: [
            "load": PreviousStep(key: key, fingerprint: StepFingerprint(text: "load mnist"), runnerVersion: "0.1.0"),
        ]))
        #expect(try planner.keys() == [key])
        try storeOne()
        var bytes = try Data(contentsOf: store.url(for: key))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: store.url(for: key))

        var warnings: [CacheWarning] = []
        let plan = try planner.plan { store.presence(of: $0) { warnings.append($0) } }
        #expect(plan.lines == ["load: runs: cache entry missing"])
        #expect(warnings.count == 1)

        try store.store(Self.outputs(), key: key, step: "load", workflow: "train", runID: "2026-11-22T02:00:00Z")
        let again = try planner.plan { store.presence(of: $0) { warnings.append($0) } }
        #expect(again.lines == ["load: cached (run 2026-11-22T02:00:00Z)"])
        #expect(warnings.count == 1)
    }

    @Test func listingShowsEveryEntry() throws {
        try storeOne()
        let second = CacheKey(fingerprint: StepFingerprint(text: "build"), inputKeys: [], runnerVersion: "0.1.0")
        try store.store(CachedOutputs(), key: second, step: "build", workflow: "train", runID: "r2", now: created)
        let entries = try store.entries()
        #expect(entries.map(\.step) == ["build", "load"])
        let lines = CacheListing.lines(entries)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("KEY           WORKFLOW  STEP   SIZE"))
        #expect(lines[2].hasPrefix("\(key.prefix)  train     load   "))
        #expect(lines[2].contains("2026-11-22T01:02:03Z"))
        #expect(lines[3].hasPrefix("2 entries, "))
    }

    @Test func byteCounts() {
        #expect(ByteCount.format(999) == "999 B")
        #expect(ByteCount.format(47_040_000) == "47.0 MB")
        #expect(ByteCount.format(1_500) == "1.5 kB")
    }
}
