import Foundation

/// Reads and checks a workflow folder. Nothing runs until this returns: every problem in every file (and in
/// the `--set` overrides) is collected and thrown together.
public enum WorkflowLoader {
    /// Loads `directory`, showing paths in diagnostics under `displayPath` (`Workflows/train`); its headers may
    /// name the step kinds in `kinds`, and build steps may use the layers of `layers`.
    public static func load(directory: URL, displayPath: String, kinds: StepSchema, overrides: [String] = [],
                            layers: LayerLanguage)
        throws(DiagnosticList) -> Workflow {
        var diagnostics: [Diagnostic] = []
        var sources: [StepSource] = []
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DiagnosticList([Diagnostic(
                "workflow folder '\(displayPath)' does not exist: name a workflow under Workflows/ "
                    + "(like 'train') or give the path of a folder of step files",
                at: SourceLocation(path: displayPath))])
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: directory.path).sorted()
        } catch {
            throw DiagnosticList([Diagnostic(
                "cannot list workflow folder '\(displayPath)': \(error.localizedDescription)",
                at: SourceLocation(path: displayPath))])
        }
        // Hidden files (editor backups, macOS metadata) are not steps.
        for name in names where name.hasSuffix(StepFileName.fileExtension) && !name.hasPrefix(".") {
            let url = directory.appendingPathComponent(name)
            let shown = displayPath.hasSuffix("/") ? displayPath + name : displayPath + "/" + name
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                diagnostics.append(Diagnostic("cannot read step file: \(error.localizedDescription)",
                                              at: SourceLocation(path: shown)))
                continue
            }
            guard var text = String(validating: data, as: UTF8.self) else {
                diagnostics.append(Diagnostic(
                    "step file is not UTF-8 text; save it as UTF-8", at: SourceLocation(path: shown)))
                continue
            }
            // Some editors start UTF-8 files with a byte-order mark; it is not part of the step.
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            sources.append(StepSource(fileName: name, url: url, displayPath: shown, text: text))
        }
        if sources.isEmpty, !diagnostics.isEmpty {
            throw DiagnosticList(diagnostics)
        }
        return try check(name: directory.lastPathComponent, directory: directory, displayPath: displayPath,
                         sources: sources, kinds: kinds, overrides: overrides, layers: layers, earlier: diagnostics)
    }

    /// Checks step files given in memory (as tests and tools do).
    public static func check(name: String, directory: URL, displayPath: String, sources: [StepSource],
                             kinds: StepSchema, overrides: [String] = [], layers: LayerLanguage)
        throws(DiagnosticList) -> Workflow {
        try check(name: name, directory: directory, displayPath: displayPath, sources: sources, kinds: kinds,
                  overrides: overrides, layers: layers, earlier: [])
    }

    private static func check(name: String, directory: URL, displayPath: String, sources: [StepSource],
                              kinds: StepSchema, overrides: [String], layers: LayerLanguage, earlier: [Diagnostic])
        throws(DiagnosticList) -> Workflow {
        var checker = WorkflowChecker(kinds: kinds, layers: layers)
        let workflow = checker.check(name: name, directory: directory, directoryDisplayPath: displayPath,
                                     sources: sources, overrides: overrides)
        let all = earlier + checker.diagnostics
        guard let workflow, !all.contains(where: \.isError) else { throw DiagnosticList(all) }
        return workflow
    }
}
