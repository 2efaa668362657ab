import Foundation

/// One Compose file while files are composed (`include`, `extends`): its top-level entries after
/// interpolation, where it is, and where its relative paths point.
struct ComposeDocument {
    /// The name used in messages: relative to the repository when the file is inside it.
    var file: String
    /// The directory of the file: relative `extends.file` and `include` paths resolve against it.
    var directory: URL
    var top: [YAMLEntry]

    var services: [YAMLEntry] {
        get {
            guard let value = top.first(where: { $0.key.text == "services" })?.value, case .mapping(let entries, _) = value else { return [] }
            return entries
        }
        set {
            // A 'services' that is not a mapping is left as it is, for the loader to report.
            guard let i = top.firstIndex(where: { $0.key.text == "services" }), case .mapping = top[i].value else { return }
            top[i].value = .mapping(newValue, top[i].value.location)
        }
    }

    func entry(_ key: String) -> YAMLEntry? { top.first { $0.key.text == key } }

    /// The same document with every relative host path (bind mount sources, `env_file`, secret and config files)
    /// made absolute against `base`, so that it means the same once merged into a file elsewhere.
    func rebased(onto base: URL) -> ComposeDocument {
        var copy = self
        copy.services = services.map { entry in
            guard case .mapping(let keys, let location) = entry.value else { return entry }
            var entry = entry
            entry.value = .mapping(keys.map { key in
                var key = key
                switch key.key.text {
                case "volumes": key.value = Self.map(key.value) { Self.rebasedVolume($0, base) }
                case "env_file": key.value = Self.rebasedEnvFiles(key.value, base)
                default: break
                }
                return key
            }, location)
            return entry
        }
        // The `file` of top-level secrets and configs.
        copy.top = copy.top.map { top in
            guard ["secrets", "configs"].contains(top.key.text), case .mapping(let items, let location) = top.value else { return top }
            var top = top
            top.value = .mapping(items.map { item in
                guard case .mapping(let keys, let l) = item.value else { return item }
                var item = item
                item.value = .mapping(keys.map { k in
                    k.key.text == "file" ? YAMLEntry(key: k.key, value: Self.replacingScalar(k.value) { Self.absolute($0, base) }, tag: k.tag) : k
                }, l)
                return item
            }, location)
            return top
        }
        return copy
    }

    static func absolute(_ path: String, _ base: URL) -> String {
        if path.hasPrefix("/") || path.hasPrefix("~") { return path }
        return base.appendingPathComponent(path).standardizedFileURL.path
    }

    private static func map(_ value: YAMLValue, _ transform: (YAMLValue) -> YAMLValue) -> YAMLValue {
        guard case .sequence(let items, let location) = value else { return value }
        return .sequence(items.map(transform), location)
    }

    private static func replacingScalar(_ value: YAMLValue, _ transform: (String) -> String) -> YAMLValue {
        guard case .scalar(var s) = value, !s.isNull else { return value }
        s.text = transform(s.text)
        s.contentColumn = nil
        return .scalar(s)
    }

    private static func rebasedVolume(_ item: YAMLValue, _ base: URL) -> YAMLValue {
        switch item {
        case .scalar:
            return replacingScalar(item) { text in
                guard text.hasPrefix("."), let colon = text.firstIndex(of: ":") else { return text }
                return absolute(String(text[..<colon]), base) + text[colon...]
            }
        case .mapping(let entries, let location):
            let type = entries.first { $0.key.text == "type" }.flatMap { entry -> String? in
                if case .scalar(let s) = entry.value { return s.text }
                return nil
            }
            guard type == "bind" else { return item }
            return .mapping(entries.map { e in
                guard e.key.text == "source" else { return e }
                return YAMLEntry(key: e.key, value: replacingScalar(e.value) { absolute($0, base) }, tag: e.tag)
            }, location)
        case .sequence:
            return item
        }
    }

    private static func rebasedEnvFiles(_ value: YAMLValue, _ base: URL) -> YAMLValue {
        switch value {
        case .scalar: return replacingScalar(value) { absolute($0, base) }
        case .sequence(let items, let location):
            return .sequence(items.map { item in
                if case .mapping(let entries, let l) = item {
                    return .mapping(entries.map { e in
                        e.key.text == "path" ? YAMLEntry(key: e.key, value: replacingScalar(e.value) { absolute($0, base) }, tag: e.tag) : e
                    }, l)
                }
                return replacingScalar(item) { absolute($0, base) }
            }, location)
        case .mapping: return value
        }
    }
}

/// Other Compose files read while composing, each read (and its problems reported) once.
final class ComposeDocumentCache {
    var documents: [String: ComposeDocument?] = [:]
}
