import Foundation
import Hummingbird
import Ink

/// `GET /reports/<workflow>`: Outputs/<workflow>/report.md rendered to HTML by Ink; its charts from
/// `GET /reports/<workflow>/charts/<file>`. The workflow must be a folder of Workflows/, and the chart a PNG or
/// SVG file that the charts folder lists: names from the request are only compared with names on disk, never
/// joined into a path as given.
enum ReportsEndpoint: Endpoint {
    static func register(on router: AppRouter, services: AppServices) {
        router.get("/reports/:workflow") { _, context in
            let workflow = try workflowName(context.parameters.get("workflow"), services)
            let report = services.configuration.outputs.appendingPathComponent("\(workflow)/report.md")
            guard let markdown = try? String(contentsOf: report, encoding: .utf8) else {
                throw ServerError.notFound("no report for \(workflow) yet: run `stepwise run \(workflow)`")
            }
            let body = MarkdownParser().html(from: markdown)
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: page(title: "\(workflow) report", workflow: workflow, body: body))))
        }
        router.get("/reports/:workflow/charts/:file") { _, context in
            let workflow = try workflowName(context.parameters.get("workflow"), services)
            let folder = services.configuration.outputs.appendingPathComponent("\(workflow)/charts")
            let requested = context.parameters.get("file") ?? ""
            let listed = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            guard let name = listed.first(where: { $0 == requested }), isChartName(name),
                  let bytes = try? Data(contentsOf: folder.appendingPathComponent(name)) else {
                throw ServerError.notFound("no chart \(requested) for \(workflow)")
            }
            let type = name.hasSuffix(".svg") ? "image/svg+xml" : "image/png"
            return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// The workflow as named in the request, if Workflows/ has a folder of that name.
    static func workflowName(_ requested: String?, _ services: AppServices) throws -> String {
        let folder = services.configuration.root.appendingPathComponent("Workflows")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        guard let requested, let name = names.first(where: { $0 == requested && !$0.hasPrefix(".") }) else {
            throw ServerError.notFound("no workflow \(requested ?? "") in Workflows/")
        }
        return name
    }

    static func isChartName(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first.isNumber else { return false }
        return (name.hasSuffix(".png") || name.hasSuffix(".svg"))
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// The report inside a minimal page; `<base>` makes the report's relative chart links resolve under
    /// /reports/<workflow>/.
    static func page(title: String, workflow: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <base href="/reports/\(workflow)/">
        <link rel="stylesheet" href="/static/style.css">
        </head>
        <body class="report">
        <nav><a href="/">Draw a digit</a> · <a href="/stats">Statistics</a></nav>
        <main>
        \(body)
        </main>
        </body>
        </html>
        """
    }
}
