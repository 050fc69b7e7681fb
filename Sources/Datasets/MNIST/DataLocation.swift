import Foundation

/// Where the MNIST files are looked for: `--data`, then `STEPWISE_DATA`, then `./data/mnist`.
public enum DataLocation {
    public static let environmentVariable = "STEPWISE_DATA"
    public static let defaultRelativePath = "data/mnist"

    /// The data folder and a phrase saying where that choice came from (for messages such as
    /// "looking in /x (from STEPWISE_DATA)"). Relative paths are taken from `currentDirectory`; a leading `~/`
    /// from `HOME`; empty values count as unset.
    public static func resolve(flag: String?, environment: [String: String],
                               currentDirectory: URL) -> (url: URL, source: String) {
        if let flag, !flag.isEmpty {
            return (absolute(flag, environment: environment, currentDirectory: currentDirectory), "--data")
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            return (absolute(value, environment: environment, currentDirectory: currentDirectory), environmentVariable)
        }
        return (currentDirectory.appendingPathComponent(defaultRelativePath).standardizedFileURL,
                "default ./\(defaultRelativePath)")
    }

    private static func absolute(_ path: String, environment: [String: String], currentDirectory: URL) -> URL {
        var path = path
        if path == "~" || path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty {
            path = home + path.dropFirst()
        }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path, isDirectory: true)
            : currentDirectory.appendingPathComponent(path, isDirectory: true)
        return url.standardizedFileURL
    }
}
