import Foundation

/// The one timestamp form Stepwise shows and records: ISO-8601 in UTC to the second, `2026-11-22T01:02:03Z`.
public enum Timestamp {
    public static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    public static func date(_ string: String) -> Date? {
        try? Date(string, strategy: .iso8601)
    }

    /// The timestamp with colons replaced by dashes, for folder names that every file system accepts.
    public static func folderName(_ date: Date) -> String {
        string(date).replacingOccurrences(of: ":", with: "-")
    }

    /// A run id's folder name: `2026-11-22T01:02:03Z-2` is in `2026-11-22T01-02-03Z-2`.
    public static func folderName(forID id: String) -> String {
        String(id.map { $0 == ":" ? "-" : $0 })
    }

    /// The run id a folder name stands for (the inverse of `folderName(forID:)`): the time's dashes become colons.
    public static func id(forFolderName name: String) -> String {
        guard let t = name.firstIndex(of: "T"), let z = name[t...].firstIndex(of: "Z") else { return name }
        return String(name[...t]) + name[name.index(after: t)..<z].replacingOccurrences(of: "-", with: ":")
            + String(name[z...])
    }
}
