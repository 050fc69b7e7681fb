import Foundation

/// `stepwise cache ls`: one row per entry, columns aligned.
public enum CacheListing {
    public static func lines(_ entries: [CacheEntryInfo]) -> [String] {
        let header = ["KEY", "WORKFLOW", "STEP", "SIZE", "CREATED", "LAST USED"]
        let rows = entries.map { entry in
            [entry.key.prefix, entry.workflow, entry.step, ByteCount.format(entry.fileBytes),
             Timestamp.string(entry.created), Timestamp.string(entry.lastUsed)]
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max()! }
        let table = all.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let total = entries.reduce(0) { $0 + $1.fileBytes }
        return table + ["\(entries.count) \(entries.count == 1 ? "entry" : "entries"), \(ByteCount.format(total))"]
    }
}
