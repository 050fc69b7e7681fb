import ArgumentParser
import Datasets
import Foundation
import Runtime

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

/// What every command that runs a workflow takes besides the workflow: the data, the seed, the threads, the project.
struct RunSettings: ParsableArguments {
    @Option(help: ArgumentHelp("Folder with the four MNIST IDX files (default: $STEPWISE_DATA, then ./data/mnist).", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("The run seed; each step's seed is derived from it and the step's name.", valueName: "n"))
    var seed: UInt64 = defaultRunSeed

    @Option(help: ArgumentHelp("Threads for training and inference.", valueName: "n"))
    var threads: Int = RunOptions.defaultThreads

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be from 1 to 64") }
    }

    var dataDirectory: URL {
        DataLocation.resolve(flag: data, environment: ProcessInfo.processInfo.environment, currentDirectory: project.root).url
    }
}
