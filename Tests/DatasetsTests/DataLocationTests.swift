import Foundation
import Testing
@testable import Datasets

@Suite("Data folder resolution")
struct DataLocationTests {
    let cwd = URL(fileURLWithPath: "/home/u/project", isDirectory: true)

    @Test("--data wins over STEPWISE_DATA, which wins over ./data/mnist")
    func order() {
        let env = ["STEPWISE_DATA": "/srv/mnist", "HOME": "/home/u"]
        let flag = DataLocation.resolve(flag: "/tmp/d", environment: env, currentDirectory: cwd)
        #expect(flag.url.path == "/tmp/d")
        #expect(flag.source == "--data")
        let fromEnv = DataLocation.resolve(flag: nil, environment: env, currentDirectory: cwd)
        #expect(fromEnv.url.path == "/srv/mnist")
        #expect(fromEnv.source == "STEPWISE_DATA")
        let fallback = DataLocation.resolve(flag: nil, environment: [:], currentDirectory: cwd)
        #expect(fallback.url.path == "/home/u/project/data/mnist")
        #expect(fallback.source == "default ./data/mnist")
    }

    @Test("relative paths, ~ and empty values")
    func paths() {
        #expect(DataLocation.resolve(flag: "../shared/m", environment: [:], currentDirectory: cwd).url.path
                == "/home/u/shared/m")
        #expect(DataLocation.resolve(flag: nil, environment: ["STEPWISE_DATA": "~/mnist", "HOME": "/home/u"],
                                     currentDirectory: cwd).url.path == "/home/u/mnist")
        let empty = DataLocation.resolve(flag: "", environment: ["STEPWISE_DATA": ""], currentDirectory: cwd)
        #expect(empty.source == "default ./data/mnist")
    }
}
