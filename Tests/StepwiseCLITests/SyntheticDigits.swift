import Foundation
import Imaging

/// A tiny MNIST stand-in for tests of the runner: four raw IDX files in a temporary folder. Class `c` is a bright
/// 6x6 block at a position of its own plus faint noise, so a small model learns it in one epoch and runs are
/// quick, and no test of the runner needs the real MNIST files.
struct SyntheticDigits {
    let directory: URL

    init(train: Int = 600, test: Int = 200) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stepwise-idx-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var state: UInt64? = 0x9E37_79B9_7F4A_7C15
        for (split, count) in [("train", train), ("t10k", test)] {
            var pixels: [UInt8] = []
            var labels: [UInt8] = []
            for i in 0..<count {
                let label = i % 10
                labels.append(UInt8(label))
                pixels += Self.digit(label, noise: &state)
            }
            try Data(Self.header(2051, count) + Self.bigEndian(28) + Self.bigEndian(28) + pixels)
                .write(to: directory.appendingPathComponent("\(split)-images-idx3-ubyte"))
            try Data(Self.header(2049, count) + labels).write(to: directory.appendingPathComponent("\(split)-labels-idx1-ubyte"))
        }
    }

    /// One 28x28 image of class `label`; with `noise` nil, no noise.
    static func digit(_ label: Int, noise state: inout UInt64?) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: 28 * 28)
        let top = 4 + (label / 5) * 12, left = 2 + (label % 5) * 5
        if var s = state {
            for p in image.indices {
                s = s &* 6364136223846793005 &+ 1442695040888963407
                image[p] = UInt8(truncatingIfNeeded: (s >> 59))   // 0...31
            }
            state = s
        }
        for y in top..<(top + 6) { for x in left..<(left + 6) { image[y * 28 + x] = 255 } }
        return image
    }

    /// Class `label` as a clean PNG file, as someone would upload it.
    static func png(_ label: Int, to url: URL) throws {
        var none: UInt64?
        try PNG.encode(gray: digit(label, noise: &none), width: 28, height: 28).write(to: url)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func header(_ magic: UInt32, _ count: Int) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(count))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
