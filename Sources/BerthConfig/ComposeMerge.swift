/// Compose's merge rules (compose-spec `merge.md`, as compose-go applies them), on YAML trees: used when a
/// service `extends` another and when `include` lists several files for one path.
///
/// - mappings merge key by key; a scalar replaces what it is merged onto;
/// - sequences append; `command`, `entrypoint` and `healthcheck.test` are replaced instead;
/// - `environment`, `labels`, `sysctls`, `annotations`, `deploy.labels` and `build.args` merge by key,
///   whichever syntax (list of `KEY=value` or mapping) each side uses; `depends_on` merges by service;
/// - entries of `ports`, `volumes`, `secrets`, `configs`, `env_file`, `expose`, `dns*`, `cap_*`,
///   `tmpfs`, `profiles`, `links`, `devices` and `extra_hosts` are unique: a later entry with the same key
///   (a volume's target, a port's address, a `KEY=`…) replaces the earlier one in its place;
/// - `key: !reset …` removes the key, `key: !override …` replaces the value instead of merging.
enum ComposeMerge {
    /// `override` merged onto `base`; `path` is where the two sit below a service (empty for the service).
    static func merge(_ base: YAMLValue, _ override: YAMLValue, path: [String] = []) -> YAMLValue {
        let joined = path.joined(separator: ".")
        if replaced.contains(joined) { return override }
        if keyed.contains(joined), let b = keyedMapping(base), let o = keyedMapping(override) {
            return mergeMappings(b, o, path: path)
        }
        if joined == "depends_on", let b = dependencyMapping(base), let o = dependencyMapping(override) {
            return mergeMappings(b, o, path: path)
        }
        if joined == "logging", case .mapping(let b, _) = base, case .mapping(let o, _) = override,
           let bd = scalarText(b, "driver"), let od = scalarText(o, "driver"), bd != od {
            return override
        }
        switch (base, override) {
        case (.mapping, .mapping):
            return mergeMappings(base, override, path: path)
        case (.sequence(let b, _), .sequence(let o, let location)):
            let items = b + o
            guard let index = indexers[joined] else { return .sequence(items, location) }
            return .sequence(unique(items, index, path: path), location)
        default:
            return override
        }
    }

    /// Removes `!reset` entries and forgets the tags: what is left of them once nothing more is merged.
    static func settled(_ value: YAMLValue) -> YAMLValue {
        switch value {
        case .scalar: return value
        case .sequence(let items, let l): return .sequence(items.map(settled), l)
        case .mapping(let entries, let l):
            return .mapping(entries.filter { $0.tag != .reset }.map { YAMLEntry(key: $0.key, value: settled($0.value)) }, l)
        }
    }

    private static let replaced: Set<String> = ["command", "entrypoint", "healthcheck.test"]
    private static let keyed: Set<String> = ["environment", "labels", "sysctls", "annotations", "deploy.labels", "build.args"]

    private static func mergeMappings(_ base: YAMLValue, _ override: YAMLValue, path: [String]) -> YAMLValue {
        guard case .mapping(var entries, _) = base, case .mapping(let overrides, let location) = override else { return override }
        for entry in overrides {
            let index = entries.firstIndex { $0.key.text == entry.key.text }
            switch (entry.tag, index) {
            case (.reset, let i?): entries.remove(at: i)
            case (.reset, nil): break
            case (.override, let i?): entries[i] = YAMLEntry(key: entry.key, value: entry.value)
            case (_, let i?):
                entries[i] = YAMLEntry(key: entry.key, value: merge(entries[i].value, entry.value, path: path + [entry.key.text]))
            case (_, nil): entries.append(entry)
            }
        }
        return .mapping(entries, location)
    }

    /// Later items with the key of an earlier one take its place (mappings are merged onto it).
    private static func unique(_ items: [YAMLValue], _ key: @Sendable (YAMLValue) -> String?, path: [String]) -> [YAMLValue] {
        var result: [YAMLValue] = []
        var positions: [String: Int] = [:]
        for item in items {
            guard let k = key(item) else {
                result.append(item)
                continue
            }
            if let at = positions[k] {
                result[at] = merge(result[at], item, path: path + ["*"])
            } else {
                positions[k] = result.count
                result.append(item)
            }
        }
        return result
    }

    private static let indexers: [String: @Sendable (YAMLValue) -> String?] = {
        var table: [String: @Sendable (YAMLValue) -> String?] = [:]
        for key in ["expose", "dns", "dns_opt", "dns_search", "cap_add", "cap_drop", "tmpfs", "profiles", "links"] {
            table[key] = { item in text(item).map { value in String(value.prefix { $0 != "=" }) } }
        }
        table["extra_hosts"] = { text($0) }
        table["devices"] = { text($0) }
        table["env_file"] = { item in text(item) ?? field(item, "path") }
        table["volumes"] = { item in
            if let s = text(item) {
                let parts = s.split(separator: ":", omittingEmptySubsequences: false)
                return String(parts.count == 1 ? parts[0] : parts[1])
            }
            return field(item, "target")
        }
        table["ports"] = { item in
            text(item) ?? ["host_ip", "published", "target", "protocol"].map { field(item, $0) ?? "" }.joined(separator: ":")
        }
        table["secrets"] = { item in mountKey(item, defaultDirectory: "/run/secrets/") }
        table["configs"] = { item in mountKey(item, defaultDirectory: "/") }
        return table
    }()

    private static func mountKey(_ item: YAMLValue, defaultDirectory: String) -> String? {
        if let s = text(item) { return defaultDirectory + s }
        if let target = field(item, "target") { return target.hasPrefix("/") ? target : defaultDirectory + target }
        return field(item, "source").map { defaultDirectory + $0 }
    }

    private static func text(_ value: YAMLValue) -> String? {
        if case .scalar(let s) = value { return s.text }
        return nil
    }

    private static func field(_ value: YAMLValue, _ key: String) -> String? {
        guard case .mapping(let entries, _) = value else { return nil }
        return scalarText(entries, key)
    }

    private static func scalarText(_ entries: [YAMLEntry], _ key: String) -> String? {
        guard let entry = entries.first(where: { $0.key.text == key }), case .scalar(let s) = entry.value, !s.isNull else { return nil }
        return s.text
    }

    /// A list of `KEY=value` (or `KEY`) as the mapping it stands for; a mapping as it is.
    private static func keyedMapping(_ value: YAMLValue) -> YAMLValue? {
        switch value {
        case .mapping: return value
        case .sequence(let items, let location):
            var entries: [YAMLEntry] = []
            for item in items {
                guard case .scalar(let s) = item else { return nil }
                let key: String, rest: YAMLScalar
                if let eq = s.text.firstIndex(of: "=") {
                    key = String(s.text[..<eq])
                    rest = YAMLScalar(text: String(s.text[s.text.index(after: eq)...]), isPlain: false, location: s.location)
                } else {
                    key = s.text
                    rest = YAMLScalar(text: "", isPlain: true, location: s.location)
                }
                entries.removeAll { $0.key.text == key }
                entries.append(YAMLEntry(key: YAMLScalar(text: key, isPlain: true, location: s.location), value: .scalar(rest)))
            }
            return .mapping(entries, location)
        case .scalar: return nil
        }
    }

    /// `depends_on: [a, b]` as `{a: {condition: service_started}, b: {...}}`, which is what the list means.
    private static func dependencyMapping(_ value: YAMLValue) -> YAMLValue? {
        switch value {
        case .mapping: return value
        case .sequence(let items, let location):
            var entries: [YAMLEntry] = []
            for item in items {
                guard case .scalar(let s) = item else { return nil }
                let condition = YAMLEntry(
                    key: YAMLScalar(text: "condition", isPlain: true, location: s.location),
                    value: .scalar(YAMLScalar(text: "service_started", isPlain: true, location: s.location)))
                entries.append(YAMLEntry(key: s, value: .mapping([condition], s.location)))
            }
            return .mapping(entries, location)
        case .scalar: return nil
        }
    }
}
