import Foundation
import Testing
@testable import Datasets

/// Fashion-MNIST uses MNIST's file names and format; Debian's dataset-fashion-mnist package installs it here.
private let fashionDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

@Suite("Fashion-MNIST through the MNIST reader",
       .enabled(if: FileManager.default.fileExists(atPath: fashionDirectory.path),
                "dataset-fashion-mnist is not installed (/usr/share/datasets/fashion-mnist)"))
struct FashionMNISTTests {
    @Test("the test split loads with 1000 images of each of the 10 classes")
    func testSplit() throws {
        let set = try MNIST.load(directory: fashionDirectory, split: .test)
        #expect(set.count == 10_000)
        var counts = [Int](repeating: 0, count: 10)
        for label in set.labels { counts[Int(label)] += 1 }
        #expect(counts == [Int](repeating: 1000, count: 10))
    }
}
