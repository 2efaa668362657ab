import Foundation

/// The keys of the project's `secrets.enc.env` in compose.yml: `${KEY}` (and `KEY` without a value in
/// `environment`) in a service's environment values, and `environment: KEY` as the source of a
/// top-level secret. Interpolation puts a placeholder naming the key where a secret is used, never the
/// value: every later check and message of the loader sees the placeholder, so none can echo a value.
/// The values replace the placeholders only here, at the end, and only where they may go.
extension ComposeLoader {
    static let secretOpen = "\u{2983}secret:"
    static let secretClose = "\u{2984}"

    /// What interpolation substitutes for the secret `key`.
    static func secretPlaceholder(_ key: String) -> String { "\(secretOpen)\(key)\(secretClose)" }

    /// Reports every use of a secret outside a service's `environment` values (and `x-` extensions, which
    /// are only templates): anywhere else it would be kept in the clear, in labels, the deployment history
    /// or exports.
    func checkSecretUses(_ value: YAMLValue, path: [String] = []) {
        switch value {
        case .scalar(let s):
            guard s.text.contains(Self.secretOpen) else { return }
            if path.first?.hasPrefix("x-") == true { return }
            if path.count == 4, path[0] == "services", path[2] == "environment" { return }
            let keys = Self.secretKeys(in: s.text).joined(separator: ", ")
            let place = path.isEmpty ? file : "'\(path.joined(separator: "."))'"
            sink.error(s.location, "the secret \(keys) of \(secretsFile) is used in \(place): secrets can only be used in a service's 'environment' values or as the 'environment' source of a top-level secret (anywhere else the value would be stored in the clear, e.g. in labels or the deployment history); mount it as a file with a top-level 'secrets' entry instead")
        case .sequence(let items, _):
            for (i, item) in items.enumerated() { checkSecretUses(item, path: path + [String(i)]) }
        case .mapping(let entries, _):
            for entry in entries { checkSecretUses(entry.value, path: path + [entry.key.text]) }
        }
    }

    var secretsFile: String { "projects/\(project)/secrets.enc.env" }

    /// The secret keys a text's placeholders name, in order.
    static func secretKeys(in text: String) -> [String] {
        var keys: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: secretOpen), let close = rest[open.upperBound...].range(of: secretClose) {
            keys.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return keys
    }

    /// Moves each environment value that uses a secret from `environment` to `secretEnvironment`, with the
    /// value put together and a Compose template (`${KEY}` where the secret goes) for exports.
    func resolvingSecrets(_ compose: ComposeFile) -> ComposeFile {
        guard !secrets.isEmpty else { return compose }
        var result = compose
        for (name, service) in compose.services {
            var s = service
            var secretEnvironment: [String: SecretEnvironment] = [:]
            for (key, text) in service.environment where text.contains(Self.secretOpen) {
                var value = "", template = ""
                var rest = Substring(text)
                var used: [String] = []
                while let open = rest.range(of: Self.secretOpen), let close = rest[open.upperBound...].range(of: Self.secretClose) {
                    let literal = rest[..<open.lowerBound]
                    let secret = String(rest[open.upperBound..<close.lowerBound])
                    value += literal + (secrets[secret]?.reveal() ?? "")
                    template += literal.replacingOccurrences(of: "$", with: "$$") + "${\(secret)}"
                    used.append(secret)
                    rest = rest[close.upperBound...]
                }
                value += rest
                template += rest.replacingOccurrences(of: "$", with: "$$")
                s.environment[key] = nil
                secretEnvironment[key] = SecretEnvironment(value: SecretValue(value), secrets: used, template: template)
            }
            if !secretEnvironment.isEmpty { s.secretEnvironment = secretEnvironment }
            result.services[name] = s
        }
        return result
    }
}
