import Foundation

/// Compose `secrets` and `configs`: the top-level sources (`file`, `environment`, `content` for configs)
/// and the service-level mounts (short syntax `- name`, long syntax `source`, `target`, `uid`, `gid`, `mode`).
extension ComposeLoader {
    static let fileSourceUnsupported: [String: String] = [
        "external": "external secrets and configs live in Docker Swarm, which Berth does not use; give it a 'file' or 'environment' source",
        "name": "the engine-level name applies to Swarm only; remove it",
        "driver": "secret drivers apply to Swarm only", "driver_opts": "secret drivers apply to Swarm only",
        "template_driver": "template drivers apply to Swarm only", "labels": "labels apply to Swarm objects only",
    ]

    /// The top-level `secrets` or `configs`: name → its content, read now (a missing file or an unset
    /// variable is an error here, before anything changes).
    func fileSources(_ value: YAMLValue?, _ kind: ComposeFileMount.Kind) -> [String: ComposeFileSource] {
        guard let value else { return [:] }
        let plural = kind == .secret ? "secrets" : "configs"
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "top-level '\(plural)' must be a mapping, found \(value.kindName)")
            return [:]
        }
        var result: [String: ComposeFileSource] = [:]
        for entry in entries {
            let name = entry.key.text
            let what = "\(kind.rawValue) '\(name)'"
            var known = ["file", "environment"]
            if kind == .config { known.append("content") }
            guard let f = Fields(entry.value, what: what, known: known, unsupported: Self.fileSourceUnsupported, extensions: true, sink: sink)
            else { continue }
            let given = known.filter(f.has)
            guard given.count == 1, let key = given.first else {
                sink.error(entry.key.location, given.isEmpty
                    ? "\(what) needs a source: \(known.map { "'\($0)'" }.joined(separator: " or "))"
                    : "\(what) has \(given.map { "'\($0)'" }.joined(separator: " and ")); give exactly one source")
                continue
            }
            let location = f[key]?.location ?? f.keyLocation(key)
            guard let text = f.string(key) else { continue }
            switch key {
            case "file":
                let path = resolveHostPath(text)
                guard FileManager.default.fileExists(atPath: path) else {
                    sink.error(location, "the file '\(text)' of \(what) does not exist (looked for \(path)); create it or fix the path")
                    continue
                }
                guard let data = FileManager.default.contents(atPath: path) else {
                    sink.error(location, "the file '\(text)' of \(what) cannot be read (\(path))")
                    continue
                }
                result[name] = ComposeFileSource(file: path, content: data, location: location, origin: .file(path))
            case "environment" where secrets[text] != nil:
                guard kind == .secret else {
                    sink.error(location, "\(what) comes from the secret \(text) of \(secretsFile), but configs are not secret (their content is exported and hashed in the clear); make it a top-level secret")
                    continue
                }
                let content = Data(secrets[text]!.reveal().utf8)
                result[name] = ComposeFileSource(file: nil, content: content, location: location, origin: .environment(text))
            case "environment":
                guard let content = variables[text] else {
                    sink.error(location, "\(what) comes from the variable \(text), which is not set in the environment, the project's .env file or its secrets.enc.env; set it there (berth secrets set \(project) \(text))")
                    continue
                }
                result[name] = ComposeFileSource(file: nil, content: Data(content.utf8), location: location, origin: .environment(text))
            default:
                result[name] = ComposeFileSource(file: nil, content: Data(text.utf8), location: location, origin: .content)
            }
        }
        return result
    }

    /// A service's `secrets` or `configs`; nil when it has none.
    func fileMounts(_ f: Fields, _ kind: ComposeFileMount.Kind, service: String, sources: [String: ComposeFileSource]) -> [ComposeFileMount]? {
        let key = kind == .secret ? "secrets" : "configs"
        guard let value = f[key] else { return nil }
        guard case .sequence(let items, _) = value else {
            sink.error(value.location, "\(f.describe(key)) must be a list, found \(value.kindName)")
            return nil
        }
        var result: [ComposeFileMount] = []
        for item in items {
            var mount: ComposeFileMount
            var location = item.location
            if case .scalar(let s) = item {
                mount = ComposeFileMount(kind: kind, source: s.text, target: defaultTarget(kind, s.text))
            } else {
                guard let m = Fields(item, what: "an item of \(f.describe(key))", known: ["source", "target", "uid", "gid", "mode"],
                                     extensions: true, sink: sink),
                      let source = m.requiredString("source") else { continue }
                location = m["source"]?.location ?? item.location
                mount = ComposeFileMount(kind: kind, source: source, target: m.string("target").map { target(kind, $0) } ?? defaultTarget(kind, source))
                mount.uid = numericID(m, "uid")
                mount.gid = numericID(m, "gid")
                mount.mode = m["mode"].flatMap { fileMode($0, m.describe("mode")) }
            }
            guard let origin = sources[mount.source] else {
                sink.error(location, "service '\(service)' uses \(kind.rawValue) '\(mount.source)', which is not declared under the top-level '\(key)'\(Suggestion.hint(for: mount.source, in: sources.keys.sorted()))")
                continue
            }
            if result.contains(where: { $0.target == mount.target }) {
                sink.error(location, "service '\(service)' mounts two \(key) at \(mount.target); give one another 'target'")
                continue
            }
            mount.content = origin.content
            mount.origin = origin.origin
            if let file = origin.file, mount.uid == nil, mount.gid == nil, mount.mode == nil { mount.hostFile = file }
            result.append(mount)
        }
        return result.isEmpty ? nil : result
    }

    private func defaultTarget(_ kind: ComposeFileMount.Kind, _ source: String) -> String {
        kind == .secret ? "/run/secrets/\(source)" : "/\(source)"
    }

    private func target(_ kind: ComposeFileMount.Kind, _ target: String) -> String {
        if target.hasPrefix("/") { return target }
        return kind == .secret ? "/run/secrets/\(target)" : "/\(target)"
    }

    private func numericID(_ m: Fields, _ key: String) -> String? {
        guard let text = m.string(key) else { return nil }
        guard !text.isEmpty, text.allSatisfy(\.isASCII), UInt32(text) != nil else {
            m.error(key, "\(m.describe(key)) must be a numeric id, found '\(text)'")
            return nil
        }
        return text
    }

    /// `0440` (octal, as Compose reads a leading 0), `0o440`, or a decimal number; at most 0o7777.
    private func fileMode(_ value: YAMLValue, _ what: String) -> Int? {
        guard let text = Scalar.string(value, what, sink) else { return nil }
        let mode: Int?
        if text.hasPrefix("0o") { mode = Int(text.dropFirst(2), radix: 8) }
        else if text.hasPrefix("0") && text.count > 1 { mode = Int(text.dropFirst(), radix: 8) }
        else { mode = Int(text) }
        guard let mode, (0...0o7777).contains(mode) else {
            sink.error(value.location, "\(what) must be a file mode such as 0440, found '\(text)'")
            return nil
        }
        return mode
    }
}
