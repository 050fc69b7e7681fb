import Foundation

/// The files of one chart: the PNG and, for gnuplot charts, the script and data that re-render it.
public struct Chart: Sendable, Equatable {
    /// File name without extension, e.g. `confusion-matrix`.
    public let name: String
    public let png: URL
    public let script: URL?
    public let data: URL?

    public var files: [URL] { [png] + [script, data].compactMap { $0 } }
}
