import CZlib
import Foundation
import Tensor

// A stand-in for `Datasets.MNIST.load` until that lands in this branch; delete this file once it has.
enum MNISTSplit {
    case train
}

enum MNIST {
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    static func load(directory: URL, split: MNISTSplit, limit: Int? = nil) throws -> ImageSet {
        let images = try read(directory.appendingPathComponent("train-images-idx3-ubyte.gz"), magic: 0x803)
        let labels = try read(directory.appendingPathComponent("train-labels-idx1-ubyte.gz"), magic: 0x801)
        let count = min(limit ?? Int.max, images.count, labels.count)
        let size = images.dims[1] * images.dims[2]
        return ImageSet(pixels: Array(images.bytes.prefix(count * size)), labels: Array(labels.bytes.prefix(count)),
                        height: images.dims[1], width: images.dims[2])
    }

    private static func read(_ url: URL, magic: UInt32) throws -> (bytes: ArraySlice<UInt8>, dims: [Int], count: Int) {
        guard let file = gzopen(url.path, "rb") else { throw LoadError(description: "\(url.path): cannot open") }
        defer { gzclose(file) }
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw LoadError(description: "\(url.path): corrupt gzip stream") }
            if n == 0 { break }
            data.append(contentsOf: chunk[..<Int(n)])
        }
        func be32(_ at: Int) -> Int { data[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        guard data.count >= 8, UInt32(be32(0)) == magic else {
            throw LoadError(description: "\(url.path): not an IDX file with magic \(String(magic, radix: 16))")
        }
        let rank = Int(magic & 0xFF)
        let dims = (0..<rank).map { be32(4 + 4 * $0) }
        let start = 4 + 4 * rank
        guard data.count == start + dims.reduce(1, *) else { throw LoadError(description: "\(url.path): truncated") }
        return (data[start...], dims, dims[0])
    }
}
