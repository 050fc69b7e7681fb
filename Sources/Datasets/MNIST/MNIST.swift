import Foundation
import Tensor

#if canImport(Glibc)
import Glibc
#endif

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

    /// The file that holds `role` in `directory`: the first accepted name that is a regular file; failing that,
    /// the first that exists at all (a directory or FIFO in the file's place, which reading then refuses by
    /// name rather than calling the file missing); nil when none exists.
    public static func locate(_ role: FileRole, in directory: URL) -> URL? {
        var other: URL?
        for name in role.acceptedNames {
            let url = directory.appendingPathComponent(name)
            var st = stat()
            guard stat(url.path, &st) == 0 else { continue }
            if RegularFile.kindName(mode: st.st_mode) == nil { return url }
            other = other ?? url
        }
        return other
    }

    /// The regular file that holds `role` in `directory`, checked without opening it: `.missing` when no
    /// accepted name exists, `.unreadable` naming what is there instead when it is not a regular file.
    public static func file(_ role: FileRole, in directory: URL) throws(DataError) -> URL {
        guard let url = locate(role, in: directory) else {
            throw DataError(.missing, file: directory.appendingPathComponent(role.canonicalName + ".gz").path,
                            "the \(role) file is missing (looked for \(role.acceptedNames.joined(separator: ", ")))")
        }
        do throws(FileError) {
            try RegularFile.check(url)
        } catch {
            throw DataError(.unreadable, file: url.path, "\(error.reason); the \(role) file must be a regular file")
        }
        return url
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
    ///
    /// `expectedContent` maps a file's path to the SHA-256 (`sha256:<hex>`) its reader was promised (a cache
    /// key was made from it): such a file is read into memory once, and those very bytes are hashed and
    /// decoded, so a file replaced after it was fingerprinted fails with `.changed` instead of being decoded.
    public static func load(directory: URL, split: MNISTSplit, limit: Int? = nil,
                            expectedContent: [String: String] = [:]) throws(DataError) -> ImageSet {
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
        let imageURL = try file(imageRole, in: directory)
        let labelURL = try file(labelRole, in: directory)

        let images = try IDXReader.read(imageURL, magic: IDXReader.imagesMagic, limit: limit,
                                        expectedSHA256: expectedContent[imageURL.path])
        let (rows, columns) = (images.dimensions[1], images.dimensions[2])
        guard rows == side, columns == side else {
            throw DataError(.corrupt, file: imageURL.path,
                            "images are \(rows)x\(columns), MNIST's are \(side)x\(side)")
        }
        let labels = try IDXReader.read(labelURL, magic: IDXReader.labelsMagic, limit: limit,
                                        expectedSHA256: expectedContent[labelURL.path])
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
}
