import Foundation
import Testing
@testable import StepDSL

@Suite struct LayerTests {
    private func layers(_ body: String) throws -> [LayerDecl] {
        let files = Fixtures.replacing("02-build.step", with: "build -> model\n" + body)
        return try #require(try Fixtures.check(files).get().step(named: "build")).layers
    }

    private func error(_ body: String) -> String {
        Fixtures.rendered(Fixtures.replacing("02-build.step", with: "build -> model\n" + body))
    }

    @Test func everyLayerForm() throws {
        let parsed = try layers("""
              conv 16 5 stride 2 padding same gelu
              conv 8 3x3 relu padding 0
              maxpool 3 stride 1
              maxpool 2
              batchnorm
              gelu
              dropout 1/4
              flatten
              dense 64 relu
              dense 10
            """)
        #expect(parsed.map(\.canonical) == [
            "conv 16 5x5 stride 2 padding 2 gelu", "conv 8 3x3 relu", "maxpool 3 stride 1", "maxpool 2", "batchnorm",
            "gelu", "dropout 0.25", "flatten", "dense 64 relu", "dense 10",
        ])
        let expected: [[String: LayerArgument]] = [
            ["out_channels": .int(16), "kernel_size": .int(5), "stride": .int(2), "padding": .int(2),
             "activation": .word("gelu")],
            ["out_channels": .int(8), "kernel_size": .int(3), "stride": .int(1), "padding": .int(0),
             "activation": .word("relu")],
            ["kernel_size": .int(3), "stride": .int(1)],
            ["kernel_size": .int(2), "stride": .int(2)],
            [:], [:], ["p": .decimal(0.25)], [:],
            ["out_features": .int(64), "activation": .word("relu")],
            ["out_features": .int(10)],
        ]
        #expect(parsed.map(\.arguments) == expected)
        #expect(parsed.map(\.keyword) == ["conv", "conv", "maxpool", "maxpool", "batchnorm", "gelu", "dropout", "flatten",
                                          "dense", "dense"])
        // Ranges cover the whole line, comments excluded.
        #expect(parsed[0].range == SourceRange(start: 17, end: 53))
    }

    @Test(arguments: [
        ("  conv 32\n", "error: missing kernel size: write e.g. '3x3' or '3'"),
        ("  conv 0 3\n", "error: the output channel count of a conv layer must be a whole number in 1...100000, not '0'"),
        ("  conv 8 3x5\n", "error: kernels must be square: write '3x3', not '3x5'"),
        ("  conv 8 4 padding same\n", "error: padding 'same' needs an odd kernel size, not 4"),
        ("  conv 8 3 padding -1\n", "error: padding must be a whole number of pixels (0 or more) or 'same', not '-1'"),
        ("  conv 8 3 stride 2 stride 1\n", "error: 'stride' is given twice in this conv layer"),
        ("  conv 8 3 relu gelu\n", "error: a conv layer takes one activation"),
        ("  conv 8 3 strid 2\n", "error: unknown conv option 'strid'; did you mean 'stride'?"),
        ("  dropout 1\n", "error: dropout probability must be a decimal number 0..<1, not '1'"),
        ("  dropout\n", "error: missing dropout probability"),
        ("  dense 10 softmax\n", "error: unexpected 'softmax' after the layer"),
        ("  flatten 2\n", "error: unexpected '2' after the layer"),
        ("  linear 10\n", "error: unknown layer 'linear'"),
        ("  inptu 1x28x28\n  dense 10\n", "error: unknown parameter 'inptu' for a build step; did you mean 'input'?"),
        ("  input 1x28x28\n", "error: a build step needs at least one layer line"),
        ("  input 1x2x3x4\n  dense 10\n", "error: invalid value '1x2x3x4' for parameter 'input' of a build step"),
    ])
    func layerErrors(body: String, expected: String) {
        let rendered = error(body)
        #expect(rendered.hasPrefix(expected), "\(body) gave:\n\(rendered)")
    }

    @Test func buildParametersSitAmongLayers() throws {
        let files = Fixtures.replacing("02-build.step", with: "build -> model\n  input 784\n  dense 10\n")
        let build = try #require(try Fixtures.check(files).get().step(named: "build"))
        #expect(build.size("input") == [784])
        #expect(build.layers.count == 1)
    }
}
