import Foundation
import Testing
@testable import Runtime
@testable import StepDSL

/// What cache keys are built from: a step's header, layer lines and resolved parameters in one spelling,
/// however the file writes them.
@Suite struct CanonicalFormTests {
    /// The step named `name` of the small workflow with one file replaced, as the key sees it.
    private func canonical(_ file: String, _ text: String, step name: String, overrides: [String] = [])
        throws -> (header: String, layers: [String], parameters: [String: String]) {
        let files = Fixtures.replacing(file, with: text)
        let step = try #require(try Fixtures.check(files, overrides: overrides).get().step(named: name))
        return (step.canonicalHeader, step.canonicalLayers, step.parameters.mapValues(\.description))
    }

    @Test func numberSpellingsResolveToOneValue() throws {
        let grouped = try canonical("01-load.step", "load -> train_set, test_set\n    limit 60_000\n", step: "load")
        let plain = try canonical("01-load.step", "load -> train_set, test_set\n    limit 60000\n", step: "load")
        let byDefault = try canonical("01-load.step", "load -> train_set, test_set\n", step: "load")
        #expect(grouped.parameters == plain.parameters)
        #expect(plain.parameters == byDefault.parameters, "60000 is the default")
        #expect(plain.parameters["limit"] == "60000")

        let a = try canonical("03-train.step", "train model, train_set -> trained, history\n    lr 0.10\n", step: "train")
        let b = try canonical("03-train.step", "train model, train_set -> trained, history\n    lr 1e-1\n", step: "train")
        let c = try canonical("03-train.step", "train model, train_set -> trained, history\n    lr 1/10\n", step: "train")
        #expect(a.parameters == b.parameters && b.parameters == c.parameters)
        #expect(a.parameters["lr"] == "0.1")
    }

    @Test func swappedLinesAndWrittenOutDefaultsChangeNothing() throws {
        let one = try canonical("03-train.step", """
            train model, train_set -> trained, history
                epochs 2
                batch 128
            """, step: "train")
        let swapped = try canonical("03-train.step", """
            train   model ,train_set->trained,history   # spacing and comments do not count
                batch 128
                epochs 2
                momentum 0.9       # the default, written out
                seed auto
            """, step: "train")
        #expect(one.parameters == swapped.parameters)
        #expect(one.header == swapped.header)
        #expect(one.header == "train model, train_set -> trained, history")
    }

    @Test func overrideEqualToTheFileValueCountsOnce() throws {
        let file = try canonical("03-train.step", "train model, train_set -> trained, history\n    epochs 2\n", step: "train")
        let overridden = try canonical("03-train.step", "train model, train_set -> trained, history\n    epochs 2\n",
                                       step: "train", overrides: ["train.epochs=2"])
        let spelt = try canonical("03-train.step", "train model, train_set -> trained, history\n    epochs 5\n",
                                  step: "train", overrides: ["train.epochs=0_002"])
        #expect(file.parameters == overridden.parameters)
        #expect(file.parameters == spelt.parameters)
    }

    @Test func layerLinesHaveOneSpelling() throws {
        let written = try canonical("02-build.step", """
            build -> model
                conv 32 3 padding 0 stride 1 relu
                conv 16 5x5 padding same
                maxpool 2 stride 2
                maxpool 3 stride 1
                dropout 0.250
                flatten
                dense 64   relu
                batchnorm
                gelu
                dense 10
            """, step: "build")
        #expect(written.layers == [
            "conv 32 3x3 relu", "conv 16 5x5 padding 2", "maxpool 2", "maxpool 3 stride 1", "dropout 0.25", "flatten",
            "dense 64 relu", "batchnorm", "gelu", "dense 10",
        ])
        let options = try canonical("02-build.step", "build -> model\n    conv 8 3x3 relu padding 1 stride 2\n    flatten\n    dense 10\n",
                                    step: "build")
        #expect(options.layers.first == "conv 8 3x3 stride 2 padding 1 relu")
        #expect(written.header == "build -> model")
    }

    @Test func onlyStepsThatDrawRandomNumbersUseTheSeed() {
        let random = Set(Fixtures.kinds.all.filter(\.usesSeed).map(\.kind))
        #expect(random == [.preprocess, .build, .train, .augmentWithFeedback, .finetune])
        let threaded = Set(Fixtures.kinds.all.filter(\.usesThreads).map(\.kind))
        // compare times inference, so its speeds depend on the thread count.
        #expect(threaded == [.train, .evaluate, .finetune, "compare"])
        // A step with its own seed or threads parameter must be one whose results depend on it.
        for schema in Fixtures.kinds.all {
            if schema.parameter(named: "seed") != nil { #expect(schema.usesSeed, "\(schema.kind)") }
            if schema.parameter(named: "threads") != nil { #expect(schema.usesThreads, "\(schema.kind)") }
        }
    }

    @Test func threadsComeFromTheStepOnlyWhenItSetsThem() throws {
        let files = Fixtures.small
        let plain = try #require(try Fixtures.check(files).get().step(named: "train"))
        #expect(plain.threads(run: 1) == 1)
        let overridden = try #require(try Fixtures.check(files, overrides: ["train.threads=3"]).get().step(named: "train"))
        #expect(overridden.threads(run: 1) == 3)
    }
}
