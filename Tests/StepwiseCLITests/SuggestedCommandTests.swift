import Foundation
import Testing

@Suite("suggested commands")
struct SuggestedCommandTests {
    @Test func missingInputAdviceCarriesTheOverridesAndOptions() throws {
        let project = try ScratchProject()
        let result = try project.stepwise(["plan", "Workflows/train", "--only", "evaluate", "--set", "train.epochs=1",
                                           "--set", #"save.path="models/a b.safetensors""#, "--seed", "7",
                                           "--threads", "1", "--data", "/nonexistent"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("make it with `stepwise run Workflows/train --from train --set train.epochs=1 "
            + #"--set 'save.path="models/a b.safetensors"' --data /nonexistent --seed 7 --threads 1`"#), "\(result.stderr)")
    }
}

/// After one small run, `stepwise plan` through the binary: spellings, order and defaults are cache hits; the seed
/// and the thread count rerun exactly the steps whose results depend on them, and say so.
@Suite("canonical keys (synthetic data)")
struct CanonicalKeyCLITests {
    func lines(_ result: CLIResult) -> [String: String] {
        Dictionary(uniqueKeysWithValues: result.stdout.split(separator: "\n").map { line in
            let parts = line.split(separator: ": ", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        })
    }

    @Test func respeltStepsRunSeedAndThreads() throws {
        let project = try ScratchProject()
        let first = try project.stepwise(["run", "train", "--quiet"] + smallTrainRun)
        #expect(first.status == 0, "\(first.stderr)")

        let file = "Workflows/train/04-train.step"
        let text = try project.read(file)
        try (text.replacingOccurrences(of: "    epochs 24\n    batch 128\n", with: "    batch 128\n    epochs 24\n")
            .replacingOccurrences(of: "lr 0.003", with: "lr 3e-3") + "    momentum 0.90\n")
            .write(to: project.url(file), atomically: true, encoding: .utf8)
        let build = try project.read("Workflows/train/03-build.step")
        try build.replacingOccurrences(of: "conv 64 3x3 relu", with: "conv 64 3 padding 0 relu")
            .write(to: project.url("Workflows/train/03-build.step"), atomically: true, encoding: .utf8)
        let respelt = smallTrainRun.map { $0 == "load.limit=700" ? "load.limit=7_00" : $0 }
        let same = try project.stepwise(["plan", "train"] + respelt)
        #expect(lines(same).values.allSatisfy { $0.hasPrefix("cached (run ") }, "\(same.stdout)")

        let seeded = lines(try project.stepwise(["plan", "train", "--seed", "7"] + smallTrainRun))
        #expect(seeded["load"]?.hasPrefix("cached (run ") == true)
        #expect(seeded["build"] == "runs: run seed changed from 42 to 7")

        let byFlag = lines(try project.stepwise(["plan", "train", "--threads", "1"] + smallTrainRun))
        let bySet = lines(try project.stepwise(["plan", "train", "--set", "train.threads=1"] + smallTrainRun))
        #expect(byFlag["train"] == "runs: threads changed from 2 to 1")
        #expect(bySet["train"] == "runs: threads changed from 2 to 1")
        #expect(byFlag["build"]?.hasPrefix("cached (run ") == true)
    }
}
