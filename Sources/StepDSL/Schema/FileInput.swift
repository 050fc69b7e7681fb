/// What a step reads from disk besides its input artifacts. The runtime hashes it into the step's cache key,
/// so a changed file reruns the step.
public enum FileInput: Sendable, Hashable, CustomStringConvertible {
    /// The dataset's IDX files in the data folder (`--data` or `STEPWISE_DATA`), picked by `dataset`.
    case dataFolder
    /// Every file in the folder named by a text parameter.
    case folder(parameter: String)
    /// The file named by a text parameter.
    case file(parameter: String)

    public var description: String {
        switch self {
        case .dataFolder: "the dataset's IDX files in the data folder (`--data` or `STEPWISE_DATA`)"
        case .folder(let parameter): "the files in the folder named by `\(parameter)`"
        case .file(let parameter): "the file named by `\(parameter)`"
        }
    }
}
