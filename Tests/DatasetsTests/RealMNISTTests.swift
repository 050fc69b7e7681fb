import Foundation
import Testing
@testable import Datasets

/// Checks against the real files, when STEPWISE_DATA points at them.
@Suite("Real MNIST files", .enabled(if: ProcessInfo.processInfo.environment["STEPWISE_DATA"] != nil,
                                    "STEPWISE_DATA is not set: the real MNIST files are not checked"))
struct RealMNISTTests {
    let directory = URL(fileURLWithPath: ProcessInfo.processInfo.environment["STEPWISE_DATA"] ?? "/nonexistent")

    private func classCounts(_ labels: [UInt8]) -> [Int] {
        var counts = [Int](repeating: 0, count: 10)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    @Test("the test split has the published size and label counts")
    func testSplit() throws {
        let set = try MNIST.load(directory: directory, split: .test)
        #expect(set.count == 10_000)
        #expect(set.height == 28 && set.width == 28)
        #expect(classCounts(set.labels) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        // The first test digit is a 7, drawn on a black border.
        #expect(set.labels[0] == 7)
        #expect(set.image(0).prefix(28).allSatisfy { $0 == 0 })
    }

    @Test("the training split has the published label counts; a limit keeps a prefix")
    func trainSplit() throws {
        let set = try MNIST.load(directory: directory, split: .train)
        #expect(set.count == 60_000)
        #expect(classCounts(set.labels) == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        let slice = try MNIST.load(directory: directory, split: .train, limit: 300)
        #expect(slice == set.prefix(300))
        #expect(slice.labels.prefix(8) == [5, 0, 4, 1, 9, 2, 1, 3])
    }

    @Test("the canonical hashes in the fetcher match the files")
    func hashes() throws {
        for file in MNISTFetcher.canonicalFiles {
            let data = try Data(contentsOf: directory.appendingPathComponent(file.name))
            #expect(data.count == file.size)
            #expect(MNISTFetcher.sha256(data) == file.sha256, "\(file.name)")
        }
    }
}
