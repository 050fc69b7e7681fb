import Foundation
import Testing
@testable import Runtime
@testable import StepDSL

/// docs/DSL.md's step reference is `Fixtures.kinds.markdownReference()` pasted between two markers. Set
/// STEPWISE_UPDATE_DOCS=1 when running this test to rewrite the section after changing the schema.
@Suite struct ReferenceDocsTests {
    @Test func docsReferenceMatchesTheSchema() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("docs/DSL.md")
        let document = try String(contentsOf: url, encoding: .utf8)
        let begin = try #require(document.range(of: StepSchema.referenceBeginMarker), "docs/DSL.md has no begin marker")
        let end = try #require(document.range(of: StepSchema.referenceEndMarker), "docs/DSL.md has no end marker")
        let current = String(document[begin.upperBound..<end.lowerBound])
        let generated = "\n\n" + Fixtures.kinds.markdownReference()
        if current != generated, ProcessInfo.processInfo.environment["STEPWISE_UPDATE_DOCS"] == "1" {
            let updated = document.replacingCharacters(in: begin.upperBound..<end.lowerBound, with: generated)
            try updated.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(current == generated,
                "docs/DSL.md's step reference is out of date: rerun with STEPWISE_UPDATE_DOCS=1 to regenerate it")
    }

    @Test func referenceCoversEveryKindAndParameter() {
        let reference = Fixtures.kinds.markdownReference()
        for schema in Fixtures.kinds.all {
            #expect(reference.contains("### \(schema.kind.rawValue)\n"))
            #expect(reference.contains("    \(schema.signature)\n"))
            for spec in schema.parameters {
                #expect(reference.contains("| `\(spec.name)` | \(spec.type.shortName) | `\(spec.defaultValue)` |"))
            }
        }
    }
}
