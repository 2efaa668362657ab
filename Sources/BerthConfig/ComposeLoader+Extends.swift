import Foundation

/// Service `extends` (`service:` and optional `file:`), resolved on the YAML tree before the service is read:
/// the base service (itself resolved first) with the extending service merged onto it by Compose's rules.
extension ComposeLoader {
    /// `document` with the `extends` of every service resolved.
    func resolvingExtends(_ document: ComposeDocument, cache: ComposeDocumentCache) -> ComposeDocument {
        var document = document
        let original = document
        document.services = original.services.map { entry in
            var entry = entry
            if let resolved = resolvedService(entry.key.text, in: original, at: entry.key.location, chain: [], cache: cache) {
                entry.value = resolved
            }
            return entry
        }
        return document
    }

    /// The service `name` of `document` with its `extends` chain applied; nil (after a diagnostic) when it
    /// cannot be (a missing base, a cycle, an unreadable file).
    private func resolvedService(
        _ name: String, in document: ComposeDocument, at location: Location, chain: [String], cache: ComposeDocumentCache
    ) -> YAMLValue? {
        let services = document.services
        guard let entry = services.first(where: { $0.key.text == name }) else {
            sink.error(location, "service '\(name)' to extend is not defined in \(document.file)\(Suggestion.hint(for: name, in: services.map(\.key.text)))")
            return nil
        }
        guard case .mapping(let keys, let mappingLocation) = entry.value,
              let extends = keys.first(where: { $0.key.text == "extends" }) else { return entry.value }
        let own = YAMLValue.mapping(keys.filter { $0.key.text != "extends" }, mappingLocation)
        let here = "\(document.file):\(name)"
        guard let reference = extendsTarget(extends, service: name) else { return nil }
        let (baseName, baseFile, baseLocation) = reference
        var base = document
        if let baseFile {
            guard let other = readDocument(baseFile, from: document, at: baseLocation, cache: cache) else { return nil }
            base = other
        }
        let target = "\(base.file):\(baseName)"
        if target == here || chain.contains(target) {
            let cycle = (chain + [here, target]).joined(separator: " → ")
            sink.error(extends.key.location, "'extends' of service '\(name)' makes a cycle (\(cycle)); remove one of these 'extends'")
            return nil
        }
        guard let resolvedBase = resolvedService(baseName, in: base, at: baseLocation, chain: chain + [here], cache: cache) else { return nil }
        return ComposeMerge.merge(resolvedBase, own)
    }

    /// `extends: NAME` or `extends: {service: NAME, file: PATH}`.
    private func extendsTarget(_ extends: YAMLEntry, service: String) -> (String, String?, Location)? {
        if case .scalar(let s) = extends.value, !s.isNull { return (s.text, nil, s.location) }
        guard let f = Fields(extends.value, what: "'extends' in service '\(service)'", known: ["service", "file"], sink: sink),
              let base = f.requiredString("service") else { return nil }
        return (base, f.string("file"), f["file"]?.location ?? f["service"]?.location ?? f.location)
    }

    /// Another Compose file named by `path` (relative to `from`'s directory): parsed, interpolated with the
    /// project's variables, its relative host paths made absolute against its own directory.
    func readDocument(
        _ path: String, from: ComposeDocument, at location: Location, cache: ComposeDocumentCache,
        variables: [String: String]? = nil, projectDirectory: URL? = nil
    ) -> ComposeDocument? {
        let url = URL(fileURLWithPath: ComposeDocument.absolute(path, from.directory)).standardizedFileURL
        let key = url.path + "\u{0}" + (projectDirectory?.path ?? "") + "\u{0}" + (variables.map { "\($0.sorted { $0.key < $1.key })" } ?? "")
        if let cached = cache.documents[key] { return cached }
        let display = displayName(url)
        var document: ComposeDocument?
        if !FileManager.default.fileExists(atPath: url.path) {
            sink.error(location, "Compose file '\(path)' does not exist (looked for \(display)); create it or fix the path")
        } else if let text = try? String(contentsOf: url, encoding: .utf8) {
            if let parsed = YAMLValue.parse(text, file: display, into: sink) {
                let value = parsed.interpolated(with: Interpolator(variables: variables ?? self.variables), sink: sink)
                if case .mapping(let top, _) = value {
                    let directory = url.deletingLastPathComponent()
                    document = ComposeDocument(file: display, directory: directory, top: top).rebased(onto: projectDirectory ?? directory)
                } else {
                    sink.error(value.location, "\(display) must be a mapping with 'services', found \(value.kindName)")
                }
            }
        } else {
            sink.error(location, "Compose file '\(path)' cannot be read as UTF-8 text (\(display))")
        }
        cache.documents[key] = .some(document)
        return document
    }

    /// `url` relative to the repository (`projects/<name>/…`) when it is inside it, else its absolute path.
    func displayName(_ url: URL) -> String {
        let root = directory.deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }
}
