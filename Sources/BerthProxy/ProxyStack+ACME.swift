import BerthConfig
import BerthRender
import Crypto
import Foundation

/// What the proxy container needs for ACME beyond its config files: the CA's own TLS root (copied
/// into the state directory it mounts) and the DNS provider's credentials (its environment only).
extension ProxyStack {
    /// `acme.ca_root` on the host, where the proxy reads it (`CaddyRenderer.caRootPath`, `TraefikRenderer.caRootPath`).
    var caRootCopy: URL {
        platform.proxy.kind == .caddy
            ? directory.appendingPathComponent("acme-ca-root.pem")
            : traefikDirectory.appendingPathComponent("acme-ca-root.pem")
    }

    func copyCARoot() throws {
        guard platform.acme.enabled, let source = platform.acme.caRoot else { return }
        try OutputDirectory.writeAtomically(String(decoding: try Data(contentsOf: URL(fileURLWithPath: source)), as: UTF8.self), to: caRootCopy)
    }

    /// Traefik's (lego's) environment: the CA root to trust, and the DNS provider's credentials,
    /// resolved at load from the platform's secrets or berth's environment (validation refused missing ones).
    var acmeEnvironment: [String: String] {
        guard platform.acme.enabled else { return [:] }
        var env: [String: String] = [:]
        if platform.acme.caRoot != nil { env["LEGO_CA_CERTIFICATES"] = TraefikRenderer.caRootPath }
        if platform.acme.challenge == .dns {
            for (name, value) in platform.acme.dnsCredentialValues { env[name] = value.reveal() }
        }
        return env
    }

    /// Part of the proxy's signature (a change recreates it): Traefik reads its ACME resolver and its
    /// environment only when it starts, and either proxy reads the CA root file then. Credentials
    /// count by a digest of their values, never the values.
    var acmeSignature: String {
        let acme = platform.acme
        guard acme.enabled else { return "" }
        let duration: String = acme.certificatesDuration.map { String($0) } ?? ""
        var parts: [String] = [acme.email ?? "", acme.ca, acme.challenge.rawValue, acme.dnsProvider ?? ""]
        parts += [acme.resolvers.joined(separator: ","), acme.resolverName, acme.storage, duration, "\(acme.dnsCheckAuthoritative)"]
        if let root = acme.caRoot, let data = FileManager.default.contents(atPath: root) {
            parts.append("root:" + SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined())
        }
        if !acme.dnsCredentials.isEmpty {
            // Keyed with the platform's digest key, like secrets in config hashes: the signature is a
            // container label, and a plain hash of a low-entropy credential could be guessed offline.
            let values = acme.dnsCredentials.map { "\($0)=\(acme.dnsCredentialValues[$0]?.reveal() ?? "")" }.joined(separator: "\n")
            if let digestKey {
                let mac = HMAC<SHA256>.authenticationCode(for: Data(values.utf8), using: SymmetricKey(data: digestKey))
                parts.append("credentials:" + Data(mac).prefix(8).map { String(format: "%02x", $0) }.joined())
            } else {
                parts.append("credentials:" + acme.dnsCredentials.joined(separator: ","))
            }
        }
        return "|acme:" + parts.joined(separator: ";")
    }
}
