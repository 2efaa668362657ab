import Foundation

extension RepositoryLoader {
    /// Every `templates/<name>/` of the repository (none without the directory). A template needs a
    /// compose.yml; its YAML files must parse (with each parameter standing for itself) and its
    /// placeholders be well formed — problems are reported with file:line:col like any other file's.
    func loadTemplates(root: URL, sink: DiagnosticSink) -> [ProjectTemplate] {
        let fm = FileManager.default
        let dir = root.appendingPathComponent(ProjectTemplate.directory)
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir.path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else {
            sink.error(Location(file: ProjectTemplate.directory), "'templates' must be a directory with one directory per template")
            return []
        }
        let names = ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var templates: [ProjectTemplate] = []
        for name in names {
            let base = "\(ProjectTemplate.directory)/\(name)"
            var d: ObjCBool = false
            guard fm.fileExists(atPath: dir.appendingPathComponent(name).path, isDirectory: &d), d.boolValue else { continue }
            guard Names.isProjectName(name) else {
                sink.error(Location(file: base), "template name '\(name)' is invalid: use lowercase letters, digits and '-'")
                continue
            }
            if let template = loadTemplate(name, directory: dir.appendingPathComponent(name), base: base, sink: sink) {
                templates.append(template)
            }
        }
        return templates
    }

    private func loadTemplate(_ name: String, directory: URL, base: String, sink: DiagnosticSink) -> ProjectTemplate? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory.appendingPathComponent("compose.yml").path) else {
            sink.error(Location(file: base), "template '\(name)' has no compose.yml")
            return nil
        }
        var files: [ProjectTemplate.File] = []
        let paths = (fm.enumerator(atPath: directory.path)?.allObjects as? [String] ?? []).sorted()
        for path in paths {
            var d: ObjCBool = false
            let url = directory.appendingPathComponent(path)
            guard fm.fileExists(atPath: url.path, isDirectory: &d), !d.boolValue else { continue }
            let display = "\(base)/\(path)"
            guard let data = fm.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
                sink.error(Location(file: display), "cannot read \(display) as UTF-8 text; templates hold text files only")
                continue
            }
            let uses = ProjectTemplate.scan(text, file: display, sink: sink)
            if path.hasSuffix(".yml") || path.hasSuffix(".yaml") {
                let standIns = Dictionary(uses.map { ($0.param, $0.param) }, uniquingKeysWith: { a, _ in a })
                _ = YAMLValue.parse(ProjectTemplate.substitute(text, standIns), file: display, into: sink)
            }
            files.append(ProjectTemplate.File(path: path, text: text, display: display, uses: uses))
        }
        return ProjectTemplate(name: name, files: files)
    }
}
