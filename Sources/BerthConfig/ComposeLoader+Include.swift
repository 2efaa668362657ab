import Foundation

/// Top-level `include` (paths, or `path` / `project_directory` / `env_file`): each included file is read as
/// its own Compose file (its variables, its relative paths, its own include and extends), and its
/// services and volumes join the project. A name defined twice is an error, as in Compose.
extension ComposeLoader {
    /// The composed top level of the main file: includes joined, `extends` resolved, `!reset` applied.
    func composed(_ value: YAMLValue) -> YAMLValue {
        guard case .mapping(let top, let location) = value else { return value }
        let cache = ComposeDocumentCache()
        var document = ComposeDocument(file: file, directory: directory, top: top)
        document = including(document, chain: [file], cache: cache)
        document = resolvingExtends(document, cache: cache)
        return ComposeMerge.settled(.mapping(document.top, location))
    }

    /// `document` with what its `include` lists joined into it (the `include` key removed).
    private func including(_ document: ComposeDocument, chain: [String], cache: ComposeDocumentCache) -> ComposeDocument {
        guard let include = document.entry("include") else { return document }
        var result = document
        result.top.removeAll { $0.key.text == "include" }
        guard case .sequence(let items, _) = include.value else {
            if case .scalar(let s) = include.value, s.isNull { return result }
            sink.error(include.value.location, "'include' in \(document.file) must be a list of paths or of mappings with 'path', found \(include.value.kindName)")
            return result
        }
        for item in items {
            guard var included = includedDocument(item, from: document, chain: chain, cache: cache) else { continue }
            included = including(included, chain: chain + [included.file], cache: cache)
            included = resolvingExtends(included, cache: cache)
            join(included, into: &result)
        }
        return result
    }

    /// One item of `include`: the file(s) it names, the later ones merged onto the first as overrides.
    private func includedDocument(_ item: YAMLValue, from document: ComposeDocument, chain: [String], cache: ComposeDocumentCache) -> ComposeDocument? {
        var paths: [YAMLScalar] = []
        var projectDirectory: URL?
        var envFiles: [YAMLScalar] = []
        if case .scalar(let s) = item, !s.isNull {
            paths = [s]
        } else {
            guard let f = Fields(item, what: "an item of 'include' in \(document.file)", known: ["path", "project_directory", "env_file"], sink: sink)
            else { return nil }
            paths = scalars(f["path"], f.describe("path"))
            if paths.isEmpty { sink.error(f.location, "an item of 'include' needs 'path'") }
            if let dir = f.string("project_directory") {
                projectDirectory = URL(fileURLWithPath: ComposeDocument.absolute(dir, document.directory)).standardizedFileURL
            }
            envFiles = scalars(f["env_file"], f.describe("env_file"))
        }
        guard let first = paths.first else { return nil }
        let firstURL = URL(fileURLWithPath: ComposeDocument.absolute(first.text, document.directory)).standardizedFileURL
        let base = projectDirectory ?? firstURL.deletingLastPathComponent()
        let variables = includeVariables(envFiles, base: base, from: document)
        var merged: ComposeDocument?
        for path in paths {
            let url = URL(fileURLWithPath: ComposeDocument.absolute(path.text, document.directory)).standardizedFileURL
            if chain.contains(displayName(url)) {
                sink.error(path.location, "'include' of '\(path.text)' makes a cycle (\((chain + [displayName(url)]).joined(separator: " → "))); remove one of these includes")
                return nil
            }
            guard let next = readDocument(path.text, from: document, at: path.location, cache: cache, variables: variables, projectDirectory: base)
            else { return nil }
            merged = merged.map { overridden($0, by: next) } ?? next
        }
        return merged
    }

    /// The variables an included file is interpolated with: its `env_file`s (default: the `.env` of its
    /// project directory when that is another directory) under the environment; else the project's own.
    private func includeVariables(_ envFiles: [YAMLScalar], base: URL, from document: ComposeDocument) -> [String: String] {
        var files = envFiles.map { (URL(fileURLWithPath: ComposeDocument.absolute($0.text, document.directory)), $0.location, true) }
        if files.isEmpty, base.standardizedFileURL.path != directory.standardizedFileURL.path {
            files = [(base.appendingPathComponent(".env"), Location(file: file), false)]
        }
        guard !files.isEmpty else { return variables }
        var result: [String: String] = [:]
        for (url, location, required) in files {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                if required { sink.error(location, "env_file '\(url.path)' of an include cannot be read; create it or fix the path") }
                continue
            }
            for (k, v) in EnvFile.parse(text, file: displayName(url), variables: environment, sink: sink) { result[k] = v }
        }
        result.merge(environment) { _, fromEnvironment in fromEnvironment }
        return result
    }

    /// `base` with `override`'s services merged onto its own by Compose's rules, other top-level keys added.
    private func overridden(_ base: ComposeDocument, by override: ComposeDocument) -> ComposeDocument {
        var result = base
        for entry in override.top {
            guard let i = result.top.firstIndex(where: { $0.key.text == entry.key.text }) else {
                result.top.append(entry)
                continue
            }
            if entry.key.text == "services", case .mapping(var services, let location) = result.top[i].value,
               case .mapping(let overrides, _) = entry.value {
                for service in overrides {
                    if let j = services.firstIndex(where: { $0.key.text == service.key.text }) {
                        services[j].value = ComposeMerge.merge(services[j].value, service.value)
                    } else {
                        services.append(service)
                    }
                }
                result.top[i].value = .mapping(services, location)
            } else {
                result.top[i].value = ComposeMerge.merge(result.top[i].value, entry.value, path: ["<top>", entry.key.text])
            }
        }
        return result
    }

    /// Adds the included document's services, volumes and other resources to `result`; a name both define is an error.
    private func join(_ included: ComposeDocument, into result: inout ComposeDocument) {
        for entry in included.top where !["version", "name"].contains(entry.key.text) && !entry.key.text.hasPrefix("x-") {
            guard case .mapping(let resources, _) = entry.value else { continue }
            guard let at = result.top.firstIndex(where: { $0.key.text == entry.key.text }) else {
                result.top.append(entry)
                continue
            }
            guard case .mapping(var existing, let location) = result.top[at].value else { continue }
            for resource in resources {
                if let other = existing.first(where: { $0.key.text == resource.key.text }) {
                    sink.error(other.key.location, "\(entry.key.text.dropLast(entry.key.text.hasSuffix("s") ? 1 : 0)) '\(resource.key.text)' is defined here and in the included \(included.file) (line \(resource.key.location.line)); rename one of them")
                } else {
                    existing.append(resource)
                }
            }
            result.top[at].value = .mapping(existing, location)
        }
    }

    private func scalars(_ value: YAMLValue?, _ what: String) -> [YAMLScalar] {
        switch value {
        case .scalar(let s)?: return s.isNull ? [] : [s]
        case .sequence(let items, _)?:
            return items.compactMap { item in
                if case .scalar(let s) = item, !s.isNull { return s }
                sink.error(item.location, "an item of \(what) must be a path, found \(item.kindName)")
                return nil
            }
        case .mapping(_, let location)?:
            sink.error(location, "\(what) must be a path or a list of paths")
            return []
        case nil: return []
        }
    }
}
