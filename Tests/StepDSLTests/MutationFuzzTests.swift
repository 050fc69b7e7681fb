import Foundation
import Testing
@testable import StepDSL

/// Thousands of seeded random edits of the shipped step files: the checker must never crash, and must either
/// accept the workflow or explain why with at least one located, renderable error.
@Suite struct MutationFuzzTests {
    /// SplitMix64: a tiny seeded generator, so the mutations are the same on every run.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet: [Character] = [" ", "\t", "\n", "#", ",", "-", ">", "\"", "\\", "x", "/", ".", "_",
                                        "0", "1", "9", "e", "a", "é", "→", "\r", "="]

    static func mutate(_ text: String, using generator: inout Generator) -> String {
        var characters = Array(text)
        let edits = Int.random(in: 1...4, using: &generator)
        for _ in 0..<edits {
            guard !characters.isEmpty else {
                characters.append(alphabet.randomElement(using: &generator)!)
                continue
            }
            let i = Int.random(in: 0..<characters.count, using: &generator)
            switch Int.random(in: 0..<7, using: &generator) {
            case 0: characters.remove(at: i)
            case 1: characters.insert(characters[i], at: i)
            case 2:
                let j = Int.random(in: 0..<characters.count, using: &generator)
                characters.swapAt(i, j)
            case 3: characters.insert(alphabet.randomElement(using: &generator)!, at: i)
            default:
                // Token-level edits: delete, duplicate or swap whitespace-separated words.
                var words = String(characters).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                let a = Int.random(in: 0..<words.count, using: &generator)
                let b = Int.random(in: 0..<words.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: words.remove(at: a)
                case 1: words.insert(words[a], at: b)
                default: words.swapAt(a, b)
                }
                characters = Array(words.joined(separator: " "))
            }
        }
        return String(characters)
    }

    @Test(arguments: ["train", "retrain"])
    func mutatedWorkflowsNeverCrash(workflow: String) throws {
        let files = try Fixtures.shippedFiles(workflow)
        var generator = Generator(state: workflow == "train" ? 0x5EED : 0xFEED)
        var accepted = 0
        var rejected = 0
        for _ in 0..<2500 {
            var mutated = files
            let target = Int.random(in: 0..<files.count, using: &generator)
            mutated[target].1 = Self.mutate(files[target].1, using: &generator)
            switch Fixtures.check(mutated) {
            case .success(let result):
                accepted += 1
                #expect(result.steps.count == files.count)
            case .failure(let list):
                rejected += 1
                let errors = list.errors
                #expect(!errors.isEmpty)
                for error in errors {
                    #expect(error.location != nil, "\(error.message)")
                    #expect(!error.rendered().isEmpty)
                }
            }
        }
        // Both outcomes occur: the mutations are neither all harmless nor all fatal.
        #expect(accepted > 50)
        #expect(rejected > 500)
    }

    @Test func mutatedOverridesNeverCrash() throws {
        let files = try Fixtures.shippedFiles("train")
        var generator = Generator(state: 0xA11CE)
        let seeds = ["train.epochs=3", "load.limit=10_000", "save.path=\"a b\"", "preprocess.scale=1/255",
                     "build.input=1x28x28", "train.seed=auto"]
        for _ in 0..<1000 {
            let override = Self.mutate(seeds.randomElement(using: &generator)!, using: &generator)
            if case .failure(let list) = Fixtures.check(files, overrides: [override]) {
                #expect(list.errors.allSatisfy { $0.location != nil })
                #expect(!list.rendered().isEmpty)
            }
        }
    }
}
