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
        let keys = [key(base), key(text), key(parameter), key(added), key(file), key(base, inputs: [other]),
                    key(base, inputs: [input, other]), key(base, inputs: [other, input]), key(base, version: "0.2.0")]
        #expect(Set(keys).count == keys.count)
    }

    @Test func fieldsCannotImpersonateEachOther() {
        // With naive "name=value\n" joining these two would encode the same bytes.
        let one = StepFingerprint(text: "t", parameters: ["a": "1\nparameter b=2"])
        let two = StepFingerprint(text: "t", parameters: ["a": "1", "b": "2"])
        #expect(key(one) != key(two))
    }
}
