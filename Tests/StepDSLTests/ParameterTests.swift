import Foundation
import Testing
@testable import Runtime
@testable import StepDSL

@Suite struct ParameterTests {
    @Test(arguments: [
        ("12", 12), ("60_000", 60_000), ("-3", -3), ("0", 0),
    ])
    func integers(text: String, value: Int) {
        #expect(Literal.integer(text) == value)
    }

    @Test(arguments: ["", "_1", "1_", "1__0", "1.0", "12a", "-", "99999999999999999999", "１２"])
    func notIntegers(text: String) {
        #expect(Literal.integer(text) == nil)
    }

    @Test(arguments: [
        ("0.001", 0.001), ("1e-3", 0.001), ("2.5E+2", 250), ("1/255", 1.0 / 255.0), ("3", 3), ("-0.5", -0.5),
        ("1_000", 1000), ("0.5/2", 0.25),
    ])
    func decimals(text: String, value: Double) throws {
        let parsed = try #require(Literal.decimal(text))
        #expect(abs(parsed - value) <= 1e-12 * max(1, abs(value)))
    }

    @Test(arguments: ["", ".5", "inf", "nan", "0x1p3", "1/0", "1/", "/2", "1e999", "1..2", "e3", "abc"])
    func notDecimals(text: String) {
        #expect(Literal.decimal(text) == nil)
    }

    @Test func booleansAndSizes() {
        for word in ["true", "yes", "on"] { #expect(Literal.boolean(word) == true) }
        for word in ["false", "no", "off"] { #expect(Literal.boolean(word) == false) }
        #expect(Literal.boolean("True") == nil)
        #expect(Literal.size("1x28x28") == [1, 28, 28])
        #expect(Literal.size("3") == [3])
        #expect(Literal.size("3x") == nil)
        #expect(Literal.size("0x3") == nil)
        #expect(Literal.size("3X3") == nil)
    }

    @Test func valuesCheckTypeAndRange() {
        #expect(ParameterValue.parse("1000", quoted: false, as: .int(min: 1, max: 1000)) == .int(1000))
        #expect(ParameterValue.parse("1001", quoted: false, as: .int(min: 1, max: 1000)) == nil)
        #expect(ParameterValue.parse("12", quoted: true, as: .int(min: 1, max: 1000)) == nil)
        #expect(ParameterValue.parse("auto", quoted: false, as: .intOrAuto(min: 0, max: 9)) == .word("auto"))
        #expect(ParameterValue.parse("7", quoted: false, as: .intOrAuto(min: 0, max: 9)) == .int(7))
        #expect(ParameterValue.parse("0", quoted: false, as: .decimal(.positive)) == nil)
        #expect(ParameterValue.parse("0", quoted: false, as: .decimal(.unitOpen)) == .decimal(0))
        #expect(ParameterValue.parse("1", quoted: false, as: .decimal(.unitOpen)) == nil)
        #expect(ParameterValue.parse("0.999", quoted: false, as: .decimal(.unitOpen)) == .decimal(0.999))
        #expect(ParameterValue.parse("on", quoted: false, as: .bool) == .bool(true))
        #expect(ParameterValue.parse("adam", quoted: false, as: .choice(["sgd", "adam"])) == .word("adam"))
        #expect(ParameterValue.parse("Adam", quoted: false, as: .choice(["sgd", "adam"])) == nil)
        #expect(ParameterValue.parse("a b", quoted: true, as: .string) == .string("a b"))
        #expect(ParameterValue.parse("path/x", quoted: false, as: .string) == .string("path/x"))
        #expect(ParameterValue.parse("1x28x28", quoted: false, as: .size(dimensions: 1...3)) == .size([1, 28, 28]))
        #expect(ParameterValue.parse("1x2x3x4", quoted: false, as: .size(dimensions: 1...3)) == nil)
    }

    @Test func canonicalText() {
        #expect(ParameterValue.int(60_000).description == "60000")
        #expect(ParameterValue.decimal(0.001).description == "0.001")
        #expect(ParameterValue.bool(true).description == "true")
        #expect(ParameterValue.string("a \"b\" \\c").description == #""a \"b\" \\c""#)
        #expect(ParameterValue.word("adam").description == "adam")
        #expect(ParameterValue.size([1, 28, 28]).description == "1x28x28")
        // Written differently, same value, same canonical text.
        #expect(ParameterValue.parse("1e-3", quoted: false, as: .decimal(.positive))?.description
                    == ParameterValue.parse("0.001", quoted: false, as: .decimal(.positive))?.description)
    }

    @Test func everyDefaultFitsItsOwnType() {
        for schema in Fixtures.kinds.all {
            for spec in schema.parameters {
                let text: String
                let quoted: Bool
                switch spec.defaultValue {
                case .string(let value): text = value; quoted = true
                default: text = spec.defaultValue.description; quoted = false
                }
                #expect(ParameterValue.parse(text, quoted: quoted, as: spec.type) == spec.defaultValue,
                        "\(schema.kind.rawValue).\(spec.name)")
            }
            #expect(Set(schema.parameters.map(\.name)).count == schema.parameters.count)
        }
    }

    @Test func severalPairsOnOneLineAndOneValueEach() throws {
        let files = Fixtures.replacing("03-train.step",
                                       with: "train model, train_set -> trained, history\n  optimizer sgd lr 0.1 nesterov yes\n")
        let train = try #require(try Fixtures.check(files).get().step(named: "train"))
        #expect(train.string("optimizer") == "sgd")
        #expect(abs(train.double("lr") - 0.1) < 1e-15)
        #expect(train.bool("nesterov"))

        let twoValues = Fixtures.replacing("03-train.step",
                                           with: "train model, train_set -> trained, history\n  epochs 3 4\n")
        #expect(Fixtures.rendered(twoValues).hasPrefix(
            "error: unexpected '4': each parameter takes one value; write 'key value' pairs"))
        let missing = Fixtures.replacing("03-train.step", with: "train model, train_set -> trained, history\n  epochs\n")
        #expect(Fixtures.rendered(missing).hasPrefix("error: missing value for parameter 'epochs': write e.g. 'epochs 10'"))
        let seeded = Fixtures.replacing("03-train.step", with: "train model, train_set -> trained, history\n  seed 7\n")
        #expect(try Fixtures.check(seeded).get().step(named: "train")?.seed == 7)
    }

    @Test func suggestionsUseEditDistance() {
        #expect(Suggestion.closest(to: "epoch", in: ["epochs", "batch"]) == "epochs")
        #expect(Suggestion.closest(to: "trian", in: Fixtures.kinds.kindNames) == "train")
        #expect(Suggestion.closest(to: "learning_rate", in: ["lr", "epochs"]) == nil)
        #expect(Suggestion.closest(to: "lrr", in: ["lr", "epochs"]) == "lr")
        #expect(Suggestion.editDistance(Array("abcd".unicodeScalars), Array("acbd".unicodeScalars)) == 1)
        #expect(Suggestion.editDistance(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars)) == 3)
    }
}
