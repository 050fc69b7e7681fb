import Foundation
import Imaging
import Testing
@testable import Runtime

@Suite struct ReportingChartTests {
    static let hasGnuplot = Gnuplot.locate() != nil

    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func gnuplotChartsAreRealPNGsWithScriptAndData() throws {
        let folder = try ReportingFixtures.temporaryFolder("charts")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try ReportingFixtures.trainingInput()
        let matrix = ConfusionMatrix(input.test)
        let renderer = ChartRenderer(folder: folder)
        let charts: [(Chart, width: Int, height: Int)] = [
            (try renderer.trainingCurves(input.history), 1200, 460),
            (try renderer.confusionMatrix(matrix), 820, 760),
            (try renderer.perClassAccuracy(matrix.perClass, overall: matrix.accuracy), 900, 480),
            (try renderer.confidenceHistogram(ConfidenceStats(input.test)), 900, 480),
        ]
        for (chart, width, height) in charts {
            let image = try PNG.read(contentsOf: chart.png)
            #expect(image.width == width && image.height == height, "\(chart.name): \(image.width)x\(image.height)")
            // Not a blank canvas: some dark pixels (axes, text) and mostly light background.
            #expect(image.pixels.contains { $0 < 64 }, "\(chart.name) has no dark pixels")
            let script = try String(contentsOf: try #require(chart.script), encoding: .utf8)
            #expect(script.contains("set output '\(chart.name).png'"))
            #expect(script.contains("'\(chart.name).dat'"))
            #expect(!script.contains(folder.path), "\(chart.name).gp must use relative names only")
            #expect(FileManager.default.fileExists(atPath: try #require(chart.data).path))
        }
    }

    @Test(.enabled(if: hasGnuplot, "gnuplot is not installed (apt-get install gnuplot-nox)"))
    func chartsAreDeterministicAndReRenderFromTheirScript() throws {
        let folder = try ReportingFixtures.temporaryFolder("rerender")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try ReportingFixtures.trainingInput()
        let renderer = ChartRenderer(folder: folder)
        let first = try Data(contentsOf: renderer.confusionMatrix(ConfusionMatrix(input.test)).png)
        let second = try Data(contentsOf: renderer.confusionMatrix(ConfusionMatrix(input.test)).png)
        #expect(first == second)

        // What a reader does: `gnuplot confusion-matrix.gp` in the charts folder.
        let png = folder.appendingPathComponent("confusion-matrix.png")
        try FileManager.default.removeItem(at: png)
        let process = Process()
        process.executableURL = try #require(Gnuplot.locate()).executable
        process.arguments = ["confusion-matrix.gp"]
        process.currentDirectoryURL = folder
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try Data(contentsOf: png) == first)
    }

    @Test func missingGnuplotNamesTheChartAndThePackage() throws {
        let folder = try ReportingFixtures.temporaryFolder("missing")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(Gnuplot.locate(environment: ["PATH": folder.path]) == nil)
        let renderer = ChartRenderer(folder: folder, gnuplot: nil)
        let error = #expect(throws: ReportError.self) {
            try renderer.trainingCurves(ReportingFixtures.history)
        }
        #expect(error?.kind == .gnuplotMissing)
        #expect(error?.description.contains("chart training-curves") == true)
        #expect(error?.description.contains("gnuplot-nox") == true)
    }

    @Test func failingGnuplotReportsItsStderr() throws {
        let folder = try ReportingFixtures.temporaryFolder("failing")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fake = folder.appendingPathComponent("gnuplot")
        try "#!/bin/sh\ncat >/dev/null\necho 'unknown or ambiguous terminal type' >&2\nexit 1\n"
            .write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let located = try #require(Gnuplot.locate(environment: ["PATH": folder.path]))
        let renderer = ChartRenderer(folder: folder, gnuplot: located)
        let stats = ConfidenceStats(try ReportingFixtures.classification())
        let error = #expect(throws: ReportError.self) { try renderer.confidenceHistogram(stats) }
        #expect(error?.kind == .gnuplotFailed)
        #expect(error?.description == "chart confidence-histogram: gnuplot failed: exit status 1; stderr: unknown or "
            + "ambiguous terminal type; check that gnuplot-nox (with the pngcairo terminal) is installed")
    }

    @Test func digitSheetUpscalesTilesAndDrawsCaptions() throws {
        var pixels = [UInt8](repeating: 0, count: 784)
        pixels[0] = 200  // top-left source pixel
        pixels[27 * 28 + 27] = 100  // bottom-right
        let sheet = DigitSheet(columns: 2, scale: 2, fontScale: 2)
        let image = try sheet.compose([.init(pixels: pixels, caption: ["1→2"]), .init(pixels: pixels, caption: ["99%"])])
        // Cell: 56 px digit, caption 3 glyphs at 2x = 34 px; one 14-px line plus gaps.
        let cellWidth = 56, cellHeight = 56 + DigitSheet.lineGap + 14 + DigitSheet.lineGap
        #expect(image.width == DigitSheet.gap + 2 * (cellWidth + DigitSheet.gap))
        #expect(image.height == DigitSheet.gap + cellHeight + DigitSheet.gap)
        let x0 = DigitSheet.gap, y0 = DigitSheet.gap
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            #expect(image[x0 + dx, y0 + dy] == 200)
            #expect(image[x0 + 54 + dx, y0 + 54 + dy] == 100)
        }
        #expect(image[x0 + 2, y0] == 0)
        let captionRows = (y0 + 56)..<(y0 + cellHeight)
        let ink = captionRows.reduce(0) { sum, y in sum + (x0..<(x0 + cellWidth)).count { image[$0, y] == DigitSheet.ink } }
        #expect(ink > 20, "caption drew \(ink) pixels")
        #expect(image[0, 0] == DigitSheet.background)
    }

    @Test func digitSheetRejectsWrongSizedImages() {
        #expect(throws: ReportError(kind: .invalidInput, subject: "digit image 1",
                                    detail: "has 100 pixels; expected 784 (28x28)")) {
            try DigitSheet().compose([.init(pixels: Array(repeating: 0, count: 784), caption: []),
                                      .init(pixels: Array(repeating: 0, count: 100), caption: [])])
        }
    }

    @Test func misclassifiedGridIsAPNGOfTheExpectedSize() throws {
        let folder = try ReportingFixtures.temporaryFolder("grid")
        defer { try? FileManager.default.removeItem(at: folder) }
        let examples = Array(ReportingFixtures.misclassified(try ReportingFixtures.classification()).prefix(23))
        let chart = try ChartRenderer(folder: folder, gnuplot: nil).misclassifiedGrid(examples, columns: 10)
        #expect(chart.script == nil && chart.data == nil)
        let image = try PNG.read(contentsOf: chart.png)
        let cellHeight = 56 + DigitSheet.lineGap + 2 * (14 + DigitSheet.lineGap)
        #expect(image.width == DigitSheet.gap + 10 * (56 + DigitSheet.gap))
        #expect(image.height == DigitSheet.gap + 3 * (cellHeight + DigitSheet.gap))
    }

    @Test func fontCoversEveryCaptionCharacter() {
        for character in "0123456789→%ABT " {
            #expect(BitmapFont.characters.contains(character), "no glyph for \(character)")
        }
        #expect(BitmapFont.width(of: "7→2", scale: 2) == 34)
    }
}
