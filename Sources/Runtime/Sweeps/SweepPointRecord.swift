import Foundation
import Tensor

/// `Outputs/<workflow>/sweeps/<id>/points/<n>/point.json`: how one point of a sweep went. Written by the point's
/// own process when it starts (`running`) and when it ends, atomically, so the gathering step (local, or a Slurm
/// job on another host) reads either state whole.
public struct SweepPointRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case running, succeeded, failed
    }

    public var point: Int
    /// The swept parameters' values, in axis order.
    public var values: [String]
    /// Every `--set` the point ran with (fixed ones, its values, and where its model went).
    public var overrides: [String]
    public var status: Status
    public var error: String?
    /// The point's run id (its run records are under `points/<n>/runs/`).
    public var runID: String?
    public var host: String
    public var started: String
    public var ended: String?
    public var testAccuracy: Double?
    public var testLoss: Double?
    /// The steps computed and taken from the cache.
    public var computed: [String] = []
    public var cached: [String] = []

    static func url(in folder: URL) -> URL { folder.appendingPathComponent("point.json") }

    static func read(from folder: URL) -> SweepPointRecord? {
        guard let data = try? Data(contentsOf: url(in: folder)) else { return nil }
        return try? JSONDecoder().decode(SweepPointRecord.self, from: data)
    }

    func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(encoder.encode(self), to: Self.url(in: folder))
    }
}

/// `Outputs/<workflow>/sweeps/<id>/sweep.json`: the grid, so that a point started with other `--set` values under
/// the same id is refused rather than mixed into the report.
struct SweepManifest: Codable, Sendable, Equatable {
    var id: String
    var workflow: String
    var grid: SweepGrid
    var created: String

    static func url(in folder: URL) -> URL { folder.appendingPathComponent("sweep.json") }
}
