import Foundation

/// One step file as read from a workflow folder, before checking.
public struct StepSource: Sendable {
    /// The file's name in the folder (`04-train.step`).
    public let fileName: String
    public let url: URL
    /// The path shown in diagnostics (`Workflows/train/04-train.step`).
    public let displayPath: String
    public let text: String

    public init(fileName: String, url: URL, displayPath: String, text: String) {
        self.fileName = fileName
        self.url = url
        self.displayPath = displayPath
        self.text = text
    }
}
