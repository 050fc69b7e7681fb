import Foundation
import Tensor

/// The MNIST handwritten digits (and Fashion-MNIST, which uses the same files and names) read from a folder of
/// IDX files, each stored raw or gzip-compressed.
public enum MNIST {
    /// Every image is 28x28; the models and preprocessing rely on it.
    public static let side = 28
    public static let classes = 10

    /// One of the four files: a split's images or labels.
    public struct FileRole: Sendable, Hashable, CustomStringConvertible {
        public let split: MNISTSplit
        public let isImages: Bool

        /// The name the original distribution uses, without `.gz`: `train-images-idx3-ubyte`.
        public var canonicalName: String {
            isImages ? "\(split.filePrefix)-images-idx3-ubyte" : "\(split.filePrefix)-labels-idx1-ubyte"
        }

        /// Every spelling accepted, in order of preference: the canonical one and the dotted one
        /// (`train-images.idx3-ubyte`) that some copies use, each gzip-compressed or raw.
        public var acceptedNames: [String] {
            let dotted = isImages ? "\(split.filePrefix)-images.idx3-ubyte" : "\(split.filePrefix)-labels.idx1-ubyte"
            return [canonicalName + ".gz", canonicalName, dotted + ".gz", dotted]
        }

        public var description: String { "\(split) \(isImages ? "images" : "labels")" }

        public static let all: [FileRole] = MNISTSplit.allCases.flatMap {
            [FileRole(split: $0, isImages: true), FileRole(split: $0, isImages: false)]
        }
    }

    /// The file that holds `role` in `directory`: the first accepted name that exists, or nil.
    public static func locate(_ role: FileRole, in directory: URL) -> URL? {
        for name in role.acceptedNames {
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return url
            }
        }
        return nil
    }

    /// The four files `load` would read (train images, train labels, test images, test labels), for cache
    /// fingerprints. A missing file is given under its canonical `.gz` name, which does not exist, so a
    /// fingerprint taken of it differs from any real file's.
    public static func files(in directory: URL) -> [URL] {
        FileRole.all.map { locate($0, in: directory) ?? directory.appendingPathComponent($0.canonicalName + ".gz") }
    }

    /// Loads a split, checking magic numbers, dimensions (28x28), lengths against headers, that images and
    /// labels agree in count, and that labels lie in 0...9. With `limit`, only the first `limit` images are kept
    /// (the files are still read to the end to check their length).
    public static func load(directory: URL, split: MNISTSplit, limit: Int? = nil) throws(DataError) -> ImageSet {
        if let limit, limit < 0 {
            throw DataError(.invalidRequest, file: directory.path, "limit must be 0 or more, got \(limit)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw DataError(.missing, file: directory.path, "no such data folder")
        }
        guard isDirectory.boolValue else {
            throw DataError(.missing, file: directory.path, "is a file, not a folder holding the MNIST files")
        }
        let imageRole = FileRole(split: split, isImages: true)
        let labelRole = FileRole(split: split, isImages: false)
        let imageURL = try find(imageRole, in: directory)
        let labelURL = try find(labelRole, in: directory)

        let images = try IDXReader.read(imageURL, magic: IDXReader.imagesMagic, limit: limit)
        let (rows, columns) = (images.dimensions[1], images.dimensions[2])
        guard rows == side, columns == side else {
            throw DataError(.corrupt, file: imageURL.path,
                            "images are \(rows)x\(columns), MNIST's are \(side)x\(side)")
        }
        let labels = try IDXReader.read(labelURL, magic: IDXReader.labelsMagic, limit: limit)
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DataError(.corrupt, file: labelURL.path,
                            "holds \(labels.dimensions[0]) labels but \(imageURL.lastPathComponent) holds \(images.dimensions[0]) images")
        }
        if let bad = labels.bytes.firstIndex(where: { $0 >= classes }) {
            throw DataError(.corrupt, file: labelURL.path,
                            "label \(bad) is \(labels.bytes[bad]), outside 0...\(classes - 1)")
        }
        return ImageSet(pixels: images.bytes, labels: labels.bytes, height: rows, width: columns)
    }

    private static func find(_ role: FileRole, in directory: URL) throws(DataError) -> URL {
        guard let url = locate(role, in: directory) else {
            throw DataError(.missing, file: directory.appendingPathComponent(role.canonicalName).path,
                            "the \(role) file is missing (looked for \(role.acceptedNames.joined(separator: ", ")))")
        }
        return url
    }
}
