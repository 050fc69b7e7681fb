import ArgumentParser
import Foundation

/// Where the project lives: the folder with Workflows/, Outputs/ and incorrect_predictions/.
struct ProjectOptions: ParsableArguments {
    @Option(name: .customLong("project"), help: ArgumentHelp("The project folder (default: the current folder).", valueName: "dir"))
    var projectPath: String?

    var root: URL {
        URL(fileURLWithPath: projectPath ?? FileManager.default.currentDirectoryPath).standardizedFileURL
    }

    var defaultModel: URL {
        root.appendingPathComponent("Outputs/models/cnn.safetensors")
    }
}
