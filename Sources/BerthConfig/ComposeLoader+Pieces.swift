import Foundation

/// The smaller service keys.
extension ComposeLoader {
    func commandLine(_ f: Fields, _ key: String) -> [String]? {
        guard let value = f[key] else { return nil }
        if case .scalar(let s) = value {
            guard let words = ShellWords.split(s.text) else {
                sink.error(value.location, "\(f.describe(key)) has an unclosed quote")
                return nil
            }
            return words
        }
        return Scalar.strings(value, f.describe(key), sink)
    }

    /// A string map whose entries must all have a value.
    func valuedMap(_ f: Fields, _ key: String) -> [String: String] {
        guard let value = f[key] else { return [:] }
        if case .mapping(let entries, _) = value {
            for entry in entries {
                if case .scalar(let s) = entry.value, s.isNull {
                    sink.error(entry.key.location, "'\(entry.key.text)' in \(f.describe(key)) has no value")
                }
            }
        }
        var result: [String: String] = [:]
        for (k, v) in Scalar.stringMap(value, f.describe(key), sink) ?? [:] {
            if let v { result[k] = v }
        }
        return result
    }

    /// Each service named under `depends_on`, with the position of its name.
    func dependencyLocations(_ service: YAMLValue) -> [(String, Location)] {
        guard case .mapping(let entries, _) = service,
              let deps = entries.first(where: { $0.key.text == "depends_on" })?.value else { return [] }
        switch deps {
        case .sequence(let items, _):
            return items.compactMap { item in
                if case .scalar(let s) = item { return (s.text, s.location) }
                return nil
            }
        case .mapping(let entries, _):
            return entries.map { ($0.key.text, $0.key.location) }
        case .scalar:
            return []
        }
    }

    func healthcheck(_ value: YAMLValue, service: String) -> Healthcheck? {
        guard let f = Fields(value, what: "healthcheck of service '\(service)'",
                             known: ["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"],
                             sink: sink) else { return nil }
        if f.bool("disable") == true { return Healthcheck(test: ["NONE"]) }
        // Without 'test' the image's own check runs (Docker inherits an empty test), with these timings.
        var test: [String] = []
        if let testValue = f["test"], case .scalar(let s) = testValue {
            test = ["CMD-SHELL", s.text]
        } else if let testValue = f["test"] {
            test = Scalar.strings(testValue, f.describe("test"), sink) ?? []
            if let first = test.first, !["CMD", "CMD-SHELL", "NONE"].contains(first) {
                f.error("test", "'test' in healthcheck of service '\(service)' must start with CMD, CMD-SHELL or NONE, found '\(first)'")
            }
        }
        if test.isEmpty && f.keys.allSatisfy({ $0 == "disable" }) { return nil }
        var h = Healthcheck(test: test)
        h.interval = f.duration("interval")
        h.timeout = f.duration("timeout")
        h.retries = f.int("retries", in: 0...1000)
        h.startPeriod = f.duration("start_period")
        h.startInterval = f.duration("start_interval")
        if h.startInterval != nil {
            f.warning("start_interval", "'start_interval' in healthcheck of service '\(service)' takes effect on Docker 25 (API 1.44) and later; older engines ignore it and probe every 'interval' from the start")
        }
        return h
    }

    func ulimits(_ value: YAMLValue, service: String) -> [String: Ulimit] {
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "'ulimits' in service '\(service)' must be a mapping")
            return [:]
        }
        var result: [String: Ulimit] = [:]
        for entry in entries {
            let what = "ulimit '\(entry.key.text)' of service '\(service)'"
            if case .scalar = entry.value {
                if let n = Scalar.int(entry.value, what, sink) { result[entry.key.text] = Ulimit(soft: n, hard: n) }
            } else if let f = Fields(entry.value, what: what, known: ["soft", "hard"], sink: sink) {
                for key in ["soft", "hard"] where f[key] == nil { sink.error(f.location, "\(what) needs '\(key)'") }
                guard let soft = f.int("soft"), let hard = f.int("hard") else { continue }
                if soft > hard { sink.error(entry.value.location, "\(what): soft limit \(soft) is above hard limit \(hard)") }
                result[entry.key.text] = Ulimit(soft: soft, hard: hard)
            }
        }
        return result
    }

    func extraHosts(_ f: Fields) -> [String] {
        guard let value = f["extra_hosts"] else { return [] }
        if case .mapping = value {
            return (Scalar.stringMap(value, f.describe("extra_hosts"), sink) ?? [:])
                .map { "\($0.key):\($0.value ?? "")" }.sorted()
        }
        let list = Scalar.strings(value, f.describe("extra_hosts"), sink) ?? []
        return list.map { entry in
            // Compose accepts HOST=IP and HOST:IP; Docker wants HOST:IP.
            if let eq = entry.firstIndex(of: "=") { return entry.replacingCharacters(in: eq...eq, with: ":") }
            return entry
        }
    }

    func dependsOn(_ value: YAMLValue, service: String) -> [String: Dependency] {
        let what = "'depends_on' in service '\(service)'"
        if case .sequence = value {
            return Dictionary((Scalar.strings(value, what, sink) ?? []).map { ($0, Dependency()) }, uniquingKeysWith: { a, _ in a })
        }
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "\(what) must be a list or a mapping")
            return [:]
        }
        var result: [String: Dependency] = [:]
        for entry in entries {
            var dep = Dependency()
            if let f = Fields(entry.value, what: "dependency '\(entry.key.text)' of service '\(service)'",
                              known: ["condition", "restart", "required"], sink: sink) {
                if let c = f.string("condition") {
                    if let condition = Dependency.Condition(rawValue: c) {
                        dep.condition = condition
                    } else {
                        f.error("condition", "'condition' must be one of \(Dependency.Condition.allCases.map(\.rawValue).joined(separator: ", ")), found '\(c)'\(Suggestion.hint(for: c, in: Dependency.Condition.allCases.map(\.rawValue)))")
                    }
                }
                dep.restart = f.bool("restart") ?? false
                dep.required = f.bool("required") ?? true
            }
            result[entry.key.text] = dep
        }
        return result
    }

    func exposes(_ value: YAMLValue, _ what: String) -> [String] {
        guard case .sequence(let items, _) = value else {
            sink.error(value.location, "\(what) must be a list")
            return []
        }
        return items.compactMap { Scalar.string($0, "an item of \(what)", sink) }
    }

    func byteSize(_ value: YAMLValue, _ what: String) -> Int? {
        guard case .scalar(let s) = value, let n = ByteSize.parse(s.text) else {
            sink.error(value.location, "\(what) must be a size such as 512m, 1g or a number of bytes, found \(Scalar.describe(value))")
            return nil
        }
        return n
    }
}
