/// Where the DNS provider's credential values come from: one lookup over one source — the platform's
/// encrypted `secrets.enc.env` first, then berth's own environment (CI style).
/// Values are only ever handed to the proxy container's environment; they are never written to a
/// rendered file, a state file or a log.
public enum ACMECredentials {
    /// name → value for every name that `source` sets (an empty value counts as unset).
    public static func resolve(_ names: [String], from source: [String: String]) -> [String: String] {
        var values: [String: String] = [:]
        for name in names { if let value = source[name], !value.isEmpty { values[name] = value } }
        return values
    }

    /// The names `source` does not set, in order.
    public static func missing(_ names: [String], in source: [String: String]) -> [String] {
        let found = resolve(names, from: source)
        return names.filter { found[$0] == nil }
    }

    /// The source: the platform's secrets over the environment.
    public static func source(secrets: SecretSet?, environment: [String: String]) -> [String: String] {
        var source = environment
        for (key, value) in secrets?.values ?? [:] { source[key] = value.reveal() }
        return source
    }

    public static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
