import Foundation
import Testing
@testable import StepDSL

@Suite struct OverrideTests {
    @Test func parsesStepKeyAndValue() throws {
        let override = try ParameterOverride.parse("train.epochs=3")
        #expect(override.step == "train")
        #expect(override.key == "epochs")
        #expect(override.value == "3")
        #expect(!override.isQuoted)
        #expect(override.source.text == "--set train.epochs=3")
        #expect(override.valueRange == SourceRange(start: 19, end: 20))

        let quoted = try ParameterOverride.parse("--set save.path=\"my models/a \\\"b\\\".safetensors\"")
        #expect(quoted.step == "save")
        #expect(quoted.value == "my models/a \"b\".safetensors")
        #expect(quoted.isQuoted)

        let hyphenated = try ParameterOverride.parse("augment-with-feedback.replay=100")
        #expect(hyphenated.step == "augment-with-feedback")
    }

    @Test(arguments: [
        ("train.epochs", "missing '=' in override 'train.epochs'"),
        ("epochs=3", "missing step name in override 'epochs=3'"),
        (".epochs=3", "missing step name before '.'"),
        ("train.=3", "missing parameter name after 'train.'"),
        ("train.epochs=", "missing value after 'train.epochs='"),
        ("save.path=\"open", "malformed quoted value"),
    ])
    func malformedOverrides(argument: String, message: String) {
        #expect(throws: Diagnostic.self) { try ParameterOverride.parse(argument) }
        do {
            _ = try ParameterOverride.parse(argument)
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }

    @Test func overridesReplaceFileValuesAndAreExplicit() throws {
        let workflow = try Fixtures.check(Fixtures.small, overrides: ["train.epochs=7", "--set train.lr=1/1000",
                                                                     "load.limit=10_000"]).get()
        let train = try #require(workflow.step(named: "train"))
        #expect(train.int("epochs") == 7)
        #expect(abs(train.double("lr") - 0.001) < 1e-15)
        #expect(train.explicitParameters == ["epochs", "lr"])
        #expect(workflow.step(named: "load")?.int("limit") == 10_000)
    }

    @Test func overrideErrorsAreCollectedAfterFileErrors() {
        let files = Fixtures.replacing("03-train.step", with: "train model, train_set -> trained, history\n  epochs x\n")
        #expect(Fixtures.rendered(files, overrides: ["trian.epochs=3", "train.epoch=3", "train.batch=1",
                                                     "train.batch=2", "save.path=x"]) == """
            error: invalid value 'x' for parameter 'epochs' of a train step: expected an integer in 1...1000
             --> Workflows/test/03-train.step:2:10
              |
            2 |   epochs x
              |          ^

            error: no step named 'trian' in workflow 'test'; did you mean 'train'?
             --> --set trian.epochs=3
                       ^^^^^
            note: steps: load, build, train, evaluate

            error: unknown parameter 'epoch' for a train step; did you mean 'epochs'?
             --> --set train.epoch=3
                             ^^^^^

            error: train.batch is set twice on the command line; keep one
             --> --set train.batch=2
                             ^^^^^
            note: first set by --set train.batch=1

            error: no step named 'save' in workflow 'test'
             --> --set save.path=x
                       ^^^^
            note: steps: load, build, train, evaluate

            5 errors found.
            """)
    }
}
