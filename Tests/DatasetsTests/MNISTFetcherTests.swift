import Foundation
import StepwiseTestSupport
import Testing
@testable import Datasets

@Suite("MNIST download against a loopback server")
struct MNISTFetcherTests {
    /// Two small files standing in for the MNIST archives, with their real hashes.
    let alpha = Data((0..<5000).map { UInt8($0 % 251) })
    let beta = Data("beta file contents\n".utf8)
    var files: [MNISTFetcher.RemoteFile] {
        [.init(name: "a.gz", sha256: MNISTFetcher.sha256(alpha), size: alpha.count),
         .init(name: "b.gz", sha256: MNISTFetcher.sha256(beta), size: nil)]
    }

    /// Collects events from URLSession's delegate thread.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [MNISTFetcher.Event] = []
        func record(_ event: MNISTFetcher.Event) { lock.withLock { list.append(event) } }
        var events: [MNISTFetcher.Event] { lock.withLock { list } }
        var milestones: [MNISTFetcher.Event] {
            events.filter { if case .progress = $0 { false } else { true } }
        }
    }

    private func leftovers(_ fixture: IDXFixture) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).sorted()
    }

    @Test("a 404 and a wrong-hash copy make it try the next mirror; good copies are stored")
    func fallback() throws {
        let bad = try LoopbackHTTPServer(routes: ["/a.gz": .ok(Data("tampered".utf8))])
        let good = try LoopbackHTTPServer(routes: ["/m/a.gz": .ok(alpha), "/m/b.gz": .ok(beta)])
        defer { bad.stop(); good.stop() }
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let target = fixture.directory.appendingPathComponent("data")
        let fetcher = MNISTFetcher(mirrors: [bad.baseURL, good.baseURL.appendingPathComponent("m/")],
                                   files: files, timeout: 5)
        let recorder = Recorder()
        let urls = try fetcher.fetch(to: target, events: recorder.record)
        #expect(urls.map(\.lastPathComponent) == ["a.gz", "b.gz"])
        #expect(try Data(contentsOf: target.appendingPathComponent("a.gz")) == alpha)
        #expect(try Data(contentsOf: target.appendingPathComponent("b.gz")) == beta)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).sorted() == ["a.gz", "b.gz"])
        #expect(bad.requests == ["/a.gz", "/b.gz"])
        #expect(good.requests == ["/m/a.gz", "/m/b.gz"])
        let a1 = bad.baseURL.appendingPathComponent("a.gz"), b1 = bad.baseURL.appendingPathComponent("b.gz")
        let a2 = good.baseURL.appendingPathComponent("m/a.gz"), b2 = good.baseURL.appendingPathComponent("m/b.gz")
        #expect(recorder.milestones == [
            .downloading(file: "a.gz", from: a1),
            .mirrorFailed(file: "a.gz", from: a1,
                          reason: "got 8 bytes with SHA-256 \(MNISTFetcher.sha256(Data("tampered".utf8))), expected \(files[0].sha256)"),
            .downloading(file: "a.gz", from: a2),
            .saved(file: "a.gz", from: a2, bytes: alpha.count),
            .downloading(file: "b.gz", from: b1),
            .mirrorFailed(file: "b.gz", from: b1, reason: "HTTP 404"),
            .downloading(file: "b.gz", from: b2),
            .saved(file: "b.gz", from: b2, bytes: beta.count),
        ])
        #expect(recorder.events.contains(.progress(file: "a.gz", received: alpha.count, expected: alpha.count)))
    }

    @Test("files already present and valid are not downloaded; wrong ones are replaced")
    func skipAndReplace() throws {
        let server = try LoopbackHTTPServer(routes: ["/a.gz": .ok(alpha), "/b.gz": .ok(beta)])
        defer { server.stop() }
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        try fixture.write(Array(alpha), "a.gz")
        try fixture.write(Array("stale".utf8), "b.gz")
        let recorder = Recorder()
        _ = try MNISTFetcher(mirrors: [server.baseURL], files: files, timeout: 5)
            .fetch(to: fixture.directory, events: recorder.record)
        #expect(server.requests == ["/b.gz"])
        #expect(recorder.milestones.first == .alreadyPresent(file: "a.gz"))
        #expect(recorder.milestones.dropFirst().first
                == .replacing(file: "b.gz", reason: "SHA-256 is \(MNISTFetcher.sha256(Data("stale".utf8))), expected \(files[1].sha256)"))
        #expect(try Data(contentsOf: fixture.directory.appendingPathComponent("b.gz")) == beta)
    }

    @Test("a truncated response on every mirror fails with a download error and leaves nothing behind")
    func truncated() throws {
        let cut = alpha.prefix(1000)
        let one = try LoopbackHTTPServer(routes: ["/a.gz": .truncated(Data(cut), claimed: alpha.count),
                                                  "/b.gz": .ok(beta)])
        let two = try LoopbackHTTPServer(routes: ["/a.gz": .truncated(Data(cut), claimed: alpha.count)])
        defer { one.stop(); two.stop() }
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let fetcher = MNISTFetcher(mirrors: [one.baseURL, two.baseURL], files: files, timeout: 5)
        do {
            _ = try fetcher.fetch(to: fixture.directory)
            Issue.record("the fetch succeeded with truncated responses")
        } catch {
            #expect(error.kind == .download)
            #expect(error.detail.hasPrefix("could not download 1 of 2 files: a.gz ("))
            #expect(error.detail.contains(one.baseURL.appendingPathComponent("a.gz").absoluteString))
            #expect(error.detail.contains(two.baseURL.appendingPathComponent("a.gz").absoluteString))
            #expect(error.description.contains("--mirror"))
        }
        // b.gz came through and is kept; nothing else, not even a temporary file.
        #expect(try leftovers(fixture) == ["b.gz"])
    }

    @Test("a response larger than the expected size is cut off and rejected")
    func oversized() throws {
        let server = try LoopbackHTTPServer(routes: ["/a.gz": .ok(alpha + alpha), "/b.gz": .ok(beta)])
        defer { server.stop() }
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let recorder = Recorder()
        #expect(throws: DataError.self) {
            _ = try MNISTFetcher(mirrors: [server.baseURL], files: files, timeout: 5)
                .fetch(to: fixture.directory, events: recorder.record)
        }
        let url = server.baseURL.appendingPathComponent("a.gz")
        // Cut off either on the announced length or while the bytes arrive, whichever the client sees first.
        let reasons = recorder.milestones.compactMap { event -> String? in
            if case .mirrorFailed("a.gz", url, let reason) = event { reason } else { nil }
        }
        #expect(reasons.count == 1)
        #expect(reasons.allSatisfy { $0.hasSuffix("more than the expected \(alpha.count) bytes") }, "\(reasons)")
        #expect(try leftovers(fixture) == ["b.gz"])
    }

    @Test("an unreachable mirror is a failure with a reason, not a hang")
    func unreachable() throws {
        // A port that was just free: bind a server, stop it, and point at its port.
        let gone = try LoopbackHTTPServer(routes: [:])
        gone.stop()
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let fetcher = MNISTFetcher(mirrors: [gone.baseURL], files: [files[1]], timeout: 5)
        do {
            _ = try fetcher.fetch(to: fixture.directory)
            Issue.record("the fetch succeeded without a server")
        } catch {
            #expect(error.kind == .download)
            #expect(error.detail.contains("b.gz"))
        }
        #expect(try leftovers(fixture).isEmpty)
    }
}
