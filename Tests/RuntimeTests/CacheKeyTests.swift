import Foundation
import Runtime
import Testing

struct CacheKeyTests {
    let base = StepFingerprint(text: "train model with train_set", parameters: ["epochs": "12", "batch": "64"],
                               files: ["data/train.gz": "sha256:aa"])
    let input = CacheKey(fingerprint: StepFingerprint(text: "load"), inputKeys: [], runnerVersion: "0.1.0")

    func key(_ fingerprint: StepFingerprint, inputs: [CacheKey]? = nil, version: String = "0.1.0") -> CacheKey {
        CacheKey(fingerprint: fingerprint, inputKeys: inputs ?? [input], runnerVersion: version)
    }

    @Test func isDeterministicLowercaseHex() throws {
        let a = key(base), b = key(base)
        #expect(a == b)
        #expect(a.hex.count == 64)
        #expect(CacheKey(hex: a.hex) == a)
        #expect(a.prefix == String(a.hex.prefix(12)))
        #expect(CacheKey(hex: a.hex.uppercased()) == nil)
        #expect(CacheKey(hex: "abc") == nil)
    }

    @Test func parameterOrderDoesNotMatter() {
        var reordered = StepFingerprint(text: base.text)
        reordered.parameters["batch"] = "64"
        reordered.parameters["epochs"] = "12"
        reordered.files = base.files
        #expect(key(reordered) == key(base))
    }

    @Test func everyPartChangesTheKey() {
        var text = base; text.text += " validate"
        var parameter = base; parameter.parameters["epochs"] = "2"
        var added = base; added.parameters["lr"] = "0.001"
        var file = base; file.files["data/train.gz"] = "sha256:ab"
        let other = CacheKey(fingerprint: StepFingerprint(text: "load other"), inputKeys: [], runnerVersion: "0.1.0")
        var layers = base; layers.layers = ["flatten", "dense 10"]
        var swapped = base; swapped.layers = ["dense 10", "flatten"]
        var seed = base; seed.seed = 1
        var otherSeed = base; otherSeed.seed = 2
        var threads = base; threads.threads = 1
        var moreThreads = base; moreThreads.threads = 2
        let keys = [key(base), key(text), key(parameter), key(added), key(file), key(base, inputs: [other]),
                    key(base, inputs: [input, other]), key(base, inputs: [other, input]), key(base, version: "0.2.0"),
                    key(layers), key(swapped), key(seed), key(otherSeed), key(threads), key(moreThreads)]
        #expect(Set(keys).count == keys.count)
    }

    @Test func fieldsCannotImpersonateEachOther() {
        // With naive "name=value\n" joining these two would encode the same bytes.
        let one = StepFingerprint(text: "t", parameters: ["a": "1\nparameter b=2"])
        let two = StepFingerprint(text: "t", parameters: ["a": "1", "b": "2"])
        #expect(key(one) != key(two))
    }

    @Test func theRunSeedIsNotPartOfTheKeyTheDerivedSeedIs() {
        var derived = base; derived.seed = 123
        var withRunSeed = derived; withRunSeed.runSeed = 42
        var otherRunSeed = derived; otherRunSeed.runSeed = 7
        #expect(key(withRunSeed) == key(derived))
        #expect(key(otherRunSeed) == key(derived))
    }

    @Test func layersCannotImpersonateParameters() {
        let layer = StepFingerprint(text: "t", layers: ["a=1"])
        let parameter = StepFingerprint(text: "t", parameters: ["a": "1"])
        let noSeed = StepFingerprint(text: "t", parameters: ["seed": "5"])
        let seed = StepFingerprint(text: "t", seed: 5)
        #expect(key(layer) != key(parameter))
        #expect(key(noSeed) != key(seed))
    }

    @Test func aRunRecordOfRunnerZeroOneStillDecodes() throws {
        // What 0.1.0 wrote: the step's normalised text, the derived seed as a parameter.
        let json = #"{"text":"load -> a, b\nlimit 60_000","parameters":{"limit":"60000","seed":"2887121651788102667"},"files":{}}"#
        let old = try JSONDecoder().decode(StepFingerprint.self, from: Data(json.utf8))
        #expect(old.text == "load -> a, b\nlimit 60_000" && old.parameters["limit"] == "60000")
        #expect(old.layers.isEmpty && old.seed == nil && old.runSeed == nil && old.threads == nil)

        let new = StepFingerprint(text: "build -> model", layers: ["flatten"], parameters: ["input": "1x28x28"],
                                  seed: 9, runSeed: 42, threads: 2)
        let again = try JSONDecoder().decode(StepFingerprint.self, from: JSONEncoder().encode(new))
        #expect(again == new)
    }
}
