import Foundation
import Testing
@testable import StepDSL

@Suite struct ArtifactGraphTests {
    @Test func readBeforeMadePointsAtTheMaker() {
        var files = Fixtures.small
        files.append(("05-plot.step", "plot history, evaluation -> charts\n"))
        files = Fixtures.replacing("04-evaluate.step", with: "evaluate trained, test_set, charts -> evaluation\n", in: files)
        #expect(Fixtures.rendered(files) == """
            error: artifact 'charts' is read before it is made: step 'plot' makes it later
             --> Workflows/test/04-evaluate.step:1:29
              |
            1 | evaluate trained, test_set, charts -> evaluation
              |                             ^^^^^^
            note: 'charts' is made here
             --> Workflows/test/05-plot.step:1:29
              |
            1 | plot history, evaluation -> charts
              |                             ^^^^^^

            1 error found.
            """)
    }

    @Test func madeTwice() {
        let files = Fixtures.replacing("02-build.step", with: "build -> train_set\n    dense 10\n")
        let rendered = Fixtures.rendered(files)
        #expect(rendered.hasPrefix("""
            error: artifact 'train_set' is made twice; give each output its own name
             --> Workflows/test/02-build.step:1:10
              |
            1 | build -> train_set
              |          ^^^^^^^^^
            note: first made here
             --> Workflows/test/01-load.step:1:9
            """))
        // The train step then reads 'model', which nothing makes any more.
        #expect(rendered.contains("error: no step makes an artifact named 'model'"))
    }

    @Test func wrongTypeAndUnknownArtifact() {
        let files = Fixtures.replacing("04-evaluate.step", with: "evaluate history, test_set, trained2 -> evaluation\n")
        #expect(Fixtures.rendered(files) == """
            error: input 1 of an evaluate step must be a model, but 'history' is a history
             --> Workflows/test/04-evaluate.step:1:10
              |
            1 | evaluate history, test_set, trained2 -> evaluation
              |          ^^^^^^^
            note: 'history' is made here
             --> Workflows/test/03-train.step:1:36
              |
            1 | train model, train_set -> trained, history
              |                                    ^^^^^^^

            error: no step makes an artifact named 'trained2'; did you mean 'trained'?
             --> Workflows/test/04-evaluate.step:1:29
              |
            1 | evaluate history, test_set, trained2 -> evaluation
              |                             ^^^^^^^^

            2 errors found.
            """)
    }

    @Test func tooFewAndTooManyArtifacts() {
        var files = Fixtures.replacing("03-train.step", with: "train model -> trained\n")
        files = Fixtures.replacing("04-evaluate.step", with: "evaluate trained, test_set, test_set, model, model -> evaluation\n", in: files)
        #expect(Fixtures.rendered(files) == """
            error: a train step needs 2 inputs (model, dataset(train), dataset(validation)?), but 1 is named
             --> Workflows/test/03-train.step:1:1
              |
            1 | train model -> trained
              | ^^^^^
            note: write the header like 'train model, dataset(train), dataset(validation)? -> model(trained), history' with your artifact names

            error: a train step makes 2 artifacts (model(trained), history), but 1 is named after '->'
             --> Workflows/test/03-train.step:1:1
              |
            1 | train model -> trained
              | ^^^^^^^^^^^^^^^^^^^^^^
            note: write the header like 'train model, dataset(train), dataset(validation)? -> model(trained), history' with your artifact names

            warning: input 3 of an evaluate step expects dataset(feedback), but 'test_set' is dataset(test)
             --> Workflows/test/04-evaluate.step:1:29
              |
            1 | evaluate trained, test_set, test_set, model, model -> evaluation
              |                             ^^^^^^^^
            note: 'test_set' is made here
             --> Workflows/test/01-load.step:1:20
              |
            1 | load -> train_set, test_set
              |                    ^^^^^^^^

            warning: input 4 of an evaluate step expects model(baseline), but 'model' is model(initial)
             --> Workflows/test/04-evaluate.step:1:39
              |
            1 | evaluate trained, test_set, test_set, model, model -> evaluation
              |                                       ^^^^^
            note: 'model' is made here
             --> Workflows/test/02-build.step:1:10
              |
            1 | build -> model
              |          ^^^^^

            error: an evaluate step reads at most 4 artifacts (model, dataset(test), dataset(feedback)?, model(baseline)?), but 5 are named
             --> Workflows/test/04-evaluate.step:1:46
              |
            1 | evaluate trained, test_set, test_set, model, model -> evaluation
              |                                              ^^^^^
            note: evaluate reads: evaluate model, dataset(test), dataset(feedback)?, model(baseline)? -> evaluation

            3 errors found.
            """)
    }

    @Test func headerSyntaxErrors() {
        let cases: [(String, String)] = [
            ("train model train_set -> trained, history", "error: expected ',' or '->' before 'train_set'"),
            ("train model, -> trained, history", "error: expected an artifact name after ',' and before '->'"),
            ("train , model -> trained", "error: expected an artifact name before ','"),
            ("train model, train_set -> trained, history,", "error: expected an artifact name after ','"),
            ("train model, train_set -> trained -> history", "error: '->' appears twice in the header"),
            ("train model, 3d -> trained, history", "error: '3d' is not a valid artifact name"),
            ("train \"model\", train_set -> trained, history", "error: artifact names are not quoted"),
            ("trian model, train_set -> trained, history", "error: unknown step kind 'trian'; did you mean 'train'?"),
            ("  train model, train_set -> trained, history", "error: the header line must not be indented"),
            ("# only a comment\n\n", "error: step file has no header"),
            ("train model, train_set -> trained, history\nepochs 3", "error: body lines must be indented"),
        ]
        for (header, expected) in cases {
            let rendered = Fixtures.rendered(Fixtures.replacing("03-train.step", with: header + "\n"))
            #expect(rendered.hasPrefix(expected), "\(header) gave:\n\(rendered)")
        }
    }

    @Test func brokenHeaderDoesNotCascade() {
        // The broken train header still makes 'trained', so evaluate's read of it is not also reported.
        let rendered = Fixtures.rendered(Fixtures.replacing("03-train.step", with: "train model train_set -> trained, history\n"))
        #expect(rendered.components(separatedBy: "error:").count - 1 == 1, "\(rendered)")
    }

    @Test func optionalSlotsMayBeOmittedAndRolesComeFromTheMaker() throws {
        let workflow = try Fixtures.check(Fixtures.small).get()
        let train = try #require(workflow.step(named: "train"))
        #expect(train.inputs.count == 2)
        #expect(train.inputs.map(\.producer) == ["build", "load"])
        #expect(train.outputs.map(\.role) == ["trained", nil])
    }
}
