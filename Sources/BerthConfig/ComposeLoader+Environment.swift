import Foundation

/// `environment` and `env_file` of a service.
extension ComposeLoader {
    func environment(_ f: Fields) -> [String: String] {
        var env: [String: String] = [:]
        if let files = f["env_file"] {
            for file in envFiles(files, f.describe("env_file")) {
                let url = file.path.hasPrefix("/") ? URL(fileURLWithPath: file.path) : directory.appendingPathComponent(file.path)
                guard FileManager.default.fileExists(atPath: url.path) else {
                    if file.required {
                        sink.error(file.location, "env_file '\(file.path)' does not exist (looked for \(url.path)); create it, or mark it 'required: false'")
                    }
                    continue
                }
                guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                    sink.error(file.location, "env_file '\(file.path)' cannot be read as UTF-8 text (\(url.path))")
                    continue
                }
                let fileName = file.path.hasPrefix("/") ? file.path : "projects/\(project)/\(file.path)"
                if text.contains("sops_mac=") {
                    sink.error(file.location, "env_file '\(file.path)' is encrypted by sops: read as it is, its values would be ciphertext; the keys of the project's secrets.enc.env are already variables, so list them under 'environment' (e.g. environment: [KEY])")
                    continue
                }
                for (k, v) in EnvFile.parse(text, file: fileName, variables: variables, raw: file.raw, sink: sink) { env[k] = v }
            }
        }
        guard let value = f["environment"] else { return env }
        let what = f.describe("environment")
        func inherit(_ key: String, _ location: Location) {
            if let inherited = variables[key] {
                env[key] = inherited
            } else {
                sink.warning(location, "'\(key)' in \(what) has no value and \(key) is not set in the environment, the project's .env file or its secrets.enc.env, so it is left unset (as Compose does); set it there, or write a value")
            }
        }
        switch value {
        case .mapping(let entries, _):
            for entry in entries {
                switch entry.value {
                case .scalar(let s) where s.isNull: inherit(entry.key.text, entry.key.location)
                case .scalar(let s): env[entry.key.text] = s.text
                default:
                    sink.error(entry.value.location, "'\(entry.key.text)' in \(what) must be a string, found \(entry.value.kindName)")
                }
            }
        case .sequence(let items, _):
            for item in items {
                guard let text = Scalar.string(item, "an item of \(what)", sink) else { continue }
                if let eq = text.firstIndex(of: "=") {
                    env[String(text[..<eq])] = String(text[text.index(after: eq)...])
                } else {
                    inherit(text, item.location)
                }
            }
        case .scalar:
            sink.error(value.location, "\(what) must be a mapping or a list of KEY=value, found \(value.kindName)")
        }
        return env
    }

    struct EnvFileReference {
        var path: String
        var required: Bool
        var raw: Bool
        var location: Location
    }

    func envFiles(_ value: YAMLValue, _ what: String) -> [EnvFileReference] {
        func short(_ s: YAMLScalar) -> EnvFileReference { EnvFileReference(path: s.text, required: true, raw: false, location: s.location) }
        switch value {
        case .scalar(let s): return [short(s)]
        case .sequence(let items, _):
            return items.compactMap { item in
                if case .scalar(let s) = item, !s.isNull { return short(s) }
                guard let f = Fields(item, what: "an item of \(what)", known: ["path", "required", "format"], sink: sink),
                      let path = f.requiredString("path") else { return nil }
                var raw = false
                if let format = f.string("format") {
                    if format == "raw" { raw = true } else {
                        f.error("format", "'format' of an env_file must be 'raw' (values taken literally) or left out, found '\(format)'")
                    }
                }
                return EnvFileReference(path: path, required: f.bool("required") ?? true, raw: raw, location: f["path"]?.location ?? item.location)
            }
        case .mapping:
            sink.error(value.location, "\(what) must be a path or a list of paths")
            return []
        }
    }
}
