import Foundation
import Testing
@testable import StepDSL

/// Whole rendered messages, compared in full.
@Suite struct DiagnosticRenderingTests {
    @Test func unknownParameterWithSuggestion() {
        let files = Fixtures.replacing("03-train.step", with: "train model, train_set -> trained, history\n    epoch 12\n")
        #expect(Fixtures.rendered(files) == """
            error: unknown parameter 'epoch' for a train step; did you mean 'epochs'?
             --> Workflows/test/03-train.step:2:5
              |
            2 |     epoch 12
              |     ^^^^^

            1 error found.
            """)
    }

    @Test func unknownParameterWithoutSuggestionListsTheParameters() {
        let files = Fixtures.replacing("04-evaluate.step", with: "evaluate trained, test_set -> evaluation\n  colour red\n")
        #expect(Fixtures.rendered(files) == """
            error: unknown parameter 'colour' for an evaluate step
             --> Workflows/test/04-evaluate.step:2:3
              |
            2 |   colour red
              |   ^^^^^^
            note: an evaluate step takes batch, misclassified

            1 error found.
            """)
    }

    @Test func severalErrorsAreSortedByFileAndLine() {
        var files = Fixtures.replacing("03-train.step", with: """
            train model, train_set -> trained, history
                optimizer adma lr 1e-3
                lr 2
                epochs 0
            """)
        files = Fixtures.replacing("01-load.step", with: "load -> train_set, test_set\n    limit 70_000\n", in: files)
        #expect(Fixtures.rendered(files) == """
            error: invalid value '70_000' for parameter 'limit' of a load step: expected an integer in 1...60000
             --> Workflows/test/01-load.step:2:11
              |
            2 |     limit 70_000
              |           ^^^^^^

            error: invalid value 'adma' for parameter 'optimizer' of a train step: expected one of 'sgd', 'adam', 'adamw', 'adadelta'; did you mean 'adam'?
             --> Workflows/test/03-train.step:2:15
              |
            2 |     optimizer adma lr 1e-3
              |               ^^^^

            error: parameter 'lr' is set twice in this step
             --> Workflows/test/03-train.step:3:5
              |
            3 |     lr 2
              |     ^^
            note: first set here
             --> Workflows/test/03-train.step:2:20
              |
            2 |     optimizer adma lr 1e-3
              |                    ^^

            error: invalid value '0' for parameter 'epochs' of a train step: expected an integer in 1...1000
             --> Workflows/test/03-train.step:4:12
              |
            4 |     epochs 0
              |            ^

            4 errors found.
            """)
    }

    @Test func badOverrideValuePointsIntoTheArgument() {
        #expect(Fixtures.rendered(Fixtures.small, overrides: ["train.epochs=abc"]) == """
            error: invalid value 'abc' for parameter 'epochs' of a train step: expected an integer in 1...1000
             --> --set train.epochs=abc
                                    ^^^

            1 error found.
            """)
    }

    @Test func tabsAndWideLineNumbersKeepTheCaretAligned() {
        let body = String(repeating: "    # filler\n", count: 10)
        let files = Fixtures.replacing("03-train.step",
                                       with: "train model, train_set -> trained, history\n\(body)\tbatch\tmany\n")
        #expect(Fixtures.rendered(files) == """
            error: invalid value 'many' for parameter 'batch' of a train step: expected an integer in 1...8192
              --> Workflows/test/03-train.step:12:8
               |
            12 |     batch    many
               |              ^^^^

            1 error found.
            """)
    }

    @Test func columnsCountCharactersNotBytes() {
        let files = Fixtures.replacing("04-evaluate.step",
                                       with: "evaluate trained, test_set -> evaluation  # évaluer\n  batch \"ü\"\n")
        #expect(Fixtures.rendered(files) == """
            error: invalid value '"ü"' for parameter 'batch' of an evaluate step: expected an integer in 1...60000
             --> Workflows/test/04-evaluate.step:2:9
              |
            2 |   batch "ü"
              |         ^^^

            1 error found.
            """)
    }

    /// Issue 10 part 12: a 5 MB value on one line was printed three times (message, source line, caret).
    /// Now the quoted value is shortened and the line shown as a window around the caret.
    @Test func hugeLineIsShownOnceAndTruncated() {
        let junk = String(repeating: "x", count: 5_000_000)
        let files = Fixtures.replacing("01-load.step", with: "load -> train_set, test_set\n    limit 50\(junk)\n")
        let rendered = Fixtures.rendered(files)
        let window = String(repeating: "x", count: 108)
        #expect(rendered == """
            error: invalid value '50\(String(repeating: "x", count: 58))… (5000002 characters)' for parameter 'limit' of a load step: expected an integer in 1...60000
             --> Workflows/test/01-load.step:2:11
              |
            2 |     limit 50\(window)…
              |           \(String(repeating: "^", count: 110))

            1 error found.
            """)
        #expect(rendered.utf8.count < 1_000)
    }

    @Test func caretFarIntoALongLineStaysUnderItsToken() {
        let files = Fixtures.replacing("01-load.step",
                                       with: "load -> train_set, test_set\n    limit\(String(repeating: " ", count: 300))abc\n")
        let rendered = Fixtures.rendered(files)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1].hasSuffix("01-load.step:2:310"))
        let source = String(lines[3]), caret = String(lines[4])
        #expect(source.hasPrefix("2 | …") && source.hasSuffix("abc") && source.count == 4 + 1 + 120)
        #expect(caret.hasSuffix("^^^"))
        #expect(caret.count == source.count)
    }

    @Test func aFloodOfErrorsIsCut() {
        let files = Fixtures.replacing("01-load.step",
                                       with: "load -> train_set, test_set\n" + String(repeating: "    colour red\n", count: 200))
        let rendered = Fixtures.rendered(files)
        #expect(rendered.components(separatedBy: "error: unknown parameter 'colour'").count - 1 == 50)
        #expect(rendered.hasSuffix("… and 150 more not shown\n\n200 errors found."))
    }

    @Test func diagnosticWithoutPositionShowsThePath() {
        let diagnostic = Diagnostic("step file is not UTF-8 text; save it as UTF-8",
                                    at: SourceLocation(path: "Workflows/x/01-load.step"))
        #expect(diagnostic.rendered() == """
            error: step file is not UTF-8 text; save it as UTF-8
             --> Workflows/x/01-load.step
            """)
    }

    @Test func warningsDoNotStopLoading() throws {
        let files = Fixtures.replacing("03-train.step", with: "train model, test_set -> trained, history\n")
        let workflow = try Fixtures.check(files).get()
        #expect(workflow.warnings.map { $0.rendered() } == ["""
            warning: input 2 of a train step expects dataset(train), but 'test_set' is dataset(test)
             --> Workflows/test/03-train.step:1:14
              |
            1 | train model, test_set -> trained, history
              |              ^^^^^^^^
            note: 'test_set' is made here
             --> Workflows/test/01-load.step:1:20
              |
            1 | load -> train_set, test_set
              |                    ^^^^^^^^
            """])
    }
}
