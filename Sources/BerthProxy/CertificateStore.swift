import BerthConfig
import BerthRender
import Foundation

/// The certificates a proxy obtained, read from its own storage under the state directory: Traefik's
/// `acme.json` (`{resolver: {Certificates: [{domain, certificate: base64 PEM chain, key}]}}`; the key
/// is never decoded) or Caddy's data directory (`caddy/certificates/<issuer>/<name>/<name>.crt`).
public struct CertificateStore: Sendable {
    /// The platform's proxy directory (`<state-dir>/<platform>/proxy`).
    public var directory: URL
    public var platform: PlatformConfig

    public init(directory: URL, platform: PlatformConfig) {
        self.directory = directory
        self.platform = platform
    }

    /// Where Traefik's `acme.storage` is on the host: Berth mounts `<proxy>/letsencrypt` at `/letsencrypt`.
    public var traefikStorage: URL {
        let inside = platform.acme.storage
        let relative = inside.hasPrefix("/letsencrypt/") ? String(inside.dropFirst("/letsencrypt/".count)) : "acme.json"
        return directory.appendingPathComponent("letsencrypt").appendingPathComponent(relative)
    }

    /// Caddy's data directory on the host (mounted at `CaddyRenderer.dataDirectory`).
    public var caddyData: URL { directory.appendingPathComponent("data") }

    /// Every certificate in the proxy's storage (none when it has not stored any yet).
    public func certificates() throws -> [CertificateInfo] {
        switch platform.proxy.kind {
        case .traefik: return try Self.traefik(file: traefikStorage, resolver: platform.acme.resolverName)
        case .caddy: return try Self.caddy(data: caddyData)
        }
    }

    struct ACMEFile: Decodable {
        struct Resolver: Decodable {
            var Certificates: [Entry]?
        }
        struct Entry: Decodable {
            var certificate: String
        }
    }

    static func traefik(file: URL, resolver: String) throws -> [CertificateInfo] {
        guard let data = FileManager.default.contents(atPath: file.path), !data.isEmpty else { return [] }
        let resolvers: [String: ACMEFile.Resolver]
        do {
            resolvers = try JSONDecoder().decode([String: ACMEFile.Resolver].self, from: data)
        } catch {
            throw CertificateReadError(source: file.path, message: "is not Traefik's acme.json: \(error)")
        }
        return try (resolvers[resolver]?.Certificates ?? []).enumerated().map { index, entry in
            let source = "\(file.path) (\(resolver), certificate \(index + 1))"
            guard let pem = Data(base64Encoded: entry.certificate).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw CertificateReadError(source: source, message: "the certificate is not base64")
            }
            return try CertificateInfo(pemChain: pem, source: source)
        }
    }

    static func caddy(data: URL) throws -> [CertificateInfo] {
        let root = data.appendingPathComponent("caddy/certificates")
        let fm = FileManager.default
        var found: [CertificateInfo] = []
        for issuer in ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).sorted() {
            let issuerDir = root.appendingPathComponent(issuer)
            for name in ((try? fm.contentsOfDirectory(atPath: issuerDir.path)) ?? []).sorted() {
                let file = issuerDir.appendingPathComponent(name).appendingPathComponent("\(name).crt")
                guard let pem = fm.contents(atPath: file.path) else { continue }
                found.append(try CertificateInfo(pemChain: String(decoding: pem, as: UTF8.self), source: file.path))
            }
        }
        return found
    }
}
