import Foundation
import StepwiseErrors

/// Why a dataset could not be found, read, trusted or downloaded. The message names the file (or URL), what is
/// wrong with it, and how to get good data; the CLI maps every `DataError` to exit code 4.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The folder or one of its files does not exist.
        case missing
        /// The file exists but could not be read.
        case unreadable
        /// The bytes are not a valid IDX file (bad gzip stream, magic number, dimensions, labels, lengths).
        case corrupt
        /// A download failed on every mirror, or its bytes did not match the expected SHA-256.
        case download
        /// Downloaded data could not be stored.
        case unwritable
        /// The caller asked for something impossible (a negative limit).
        case invalidRequest
        /// The file's content is not what a cache key was computed from (it was replaced while a step ran).
        case changed
    }

    public let kind: Kind
    /// The path or URL the problem is about.
    public let file: String
    /// What is wrong, in a sentence.
    public let detail: String

    public init(_ kind: Kind, file: String, _ detail: String) {
        self.kind = kind
        self.file = file
        self.detail = detail
    }

    /// How to get usable data; shown under every message except for a caller's mistake.
    public static let howToGetData = """
        To get MNIST, run `stepwise data fetch` (downloads and verifies the four files into ./data/mnist), \
        or point --data or STEPWISE_DATA at a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, \
        t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (gzip or raw).
        """

    public var description: String {
        switch kind {
        case .invalidRequest, .changed:
            "\(file): \(detail)"
        case .download:
            "\(file): \(detail)\nTry again later, pass --mirror URL (a folder holding the four .gz files), or copy the files by hand and set STEPWISE_DATA."
        case .unwritable:
            "\(file): \(detail)\nChoose a writable folder with --to DIR."
        case .missing, .unreadable, .corrupt:
            "\(file): \(detail)\n\(Self.howToGetData)"
        }
    }
}

extension DataError: ExitCoded {
    public var exitCode: Int32 { kind == .invalidRequest ? ExitCode.usage : ExitCode.badData }
}
