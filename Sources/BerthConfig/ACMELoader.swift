import Foundation

/// Reads the `acme` section of `platform.yml`: the CA, the challenge, the CA's own TLS root and the names
/// of the DNS provider's credentials (their values are resolved in `RepositoryLoader+ACME`).
struct ACMELoader {
    let sink: DiagnosticSink
    var root: URL?
    var proxy: ProxyKind = .traefik

    static let keys = [
        "email", "ca", "ca_root", "challenge", "dns_provider", "dns_credentials", "resolvers", "resolver_name", "storage",
        "certificates_duration", "dns_check_authoritative",
    ]

    func load(_ f: Fields) -> ACMEConfig {
        var acme = ACMEConfig()
        if let email = f.string("email") {
            let parts = email.split(separator: "@")
            if parts.count != 2 || !Names.isHostName(String(parts[1])) { f.error("email", "'email' in 'acme' is not an email address: '\(email)'") }
            acme.email = email
        }
        if let ca = f.string("ca") {
            switch ca {
            case "production": acme.ca = ACMEConfig.letsEncryptProduction
            case "staging": acme.ca = ACMEConfig.letsEncryptStaging
            default:
                if !(ca.hasPrefix("https://") || ca.hasPrefix("http://")) {
                    f.error("ca", "'ca' in 'acme' must be production, staging or an ACME directory URL, found '\(ca)'")
                }
                acme.ca = ca
            }
        }
        if let challenge = f.string("challenge") {
            let names = ACMEChallenge.allCases.map(\.rawValue)
            if let c = ACMEChallenge(rawValue: challenge) { acme.challenge = c } else {
                f.error("challenge", "'challenge' in 'acme' must be http, tls-alpn or dns, found '\(challenge)'\(Suggestion.hint(for: challenge, in: names))")
            }
        }
        acme.dnsProvider = f.string("dns_provider")
        acme.resolvers = f.strings("resolvers") ?? []
        acme.resolverName = f.string("resolver_name") ?? acme.resolverName
        acme.storage = f.string("storage") ?? acme.storage
        if f.has("storage"), !acme.storage.hasPrefix("/letsencrypt/") || acme.storage.count <= "/letsencrypt/".count {
            f.error("storage", "'storage' in 'acme' must be a file under /letsencrypt/ (where Berth mounts the proxy's state directory), found '\(acme.storage)'")
        }
        acme.certificatesDuration = f.int("certificates_duration", in: 1...87_600)
        if acme.certificatesDuration != nil && proxy == .caddy {
            f.error("certificates_duration", "'certificates_duration' is Traefik's; Caddy renews by the certificate's own lifetime (at 1/3 left): remove it")
        }
        if let path = f.string("ca_root") { acme.caRoot = caRoot(path, f) }
        let credentials = f.stringItems("dns_credentials") ?? []
        acme.dnsCredentials = credentials.map(\.text)
        for (name, location) in credentials {
            if !ACMECredentials.isVariableName(name) {
                sink.error(location, "'\(name)' in 'dns_credentials' is not an environment variable name (letters, digits and '_', not starting with a digit)")
            }
        }
        acme.dnsCredentialLocations = credentials.map(\.location)
        acme.dnsCheckAuthoritative = f.bool("dns_check_authoritative") ?? true
        if acme.challenge == .dns {
            if acme.dnsProvider == nil {
                sink.error(f.location, "'acme' uses the dns challenge but names no 'dns_provider' (e.g. cloudflare)")
            }
            if proxy == .caddy {
                f.error("challenge", "the dns challenge needs a DNS provider module, which stock Caddy does not have; use proxy.kind traefik, or challenge http or tls-alpn")
            }
        } else if let key = ["dns_provider", "dns_credentials", "dns_check_authoritative"].first(where: f.has) {
            f.error(key, "'dns_provider', 'dns_credentials' and 'dns_check_authoritative' need 'challenge: dns'")
        }
        if !f.has("email") {
            sink.error(f.location, "'acme' needs 'email' (Let's Encrypt's account contact)")
        }
        return acme
    }

    /// The PEM file, relative to the repository or absolute; it must hold a certificate.
    private func caRoot(_ path: String, _ f: Fields) -> String? {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : (root ?? URL(fileURLWithPath: ".")).appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            f.error("ca_root", "'ca_root' in 'acme': cannot read '\(path)' (\(url.path)); give a PEM file in the repository or an absolute path")
            return nil
        }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            f.error("ca_root", "'ca_root' in 'acme': '\(path)' holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
            return nil
        }
        return url.standardizedFileURL.path
    }
}
