import BerthConfig
import Foundation
import Testing
import TestSupport

/// The `acme` section: challenges, the CA's own root, DNS credentials by name, wildcard hosts.
@Suite struct ACMEConfigTests {
    static func files(_ acme: String, proxy: String = "", hosts: String = "[a.example.test]", extra: [String: String] = [:]) -> [String: String] {
        var files = [
            "platform.yml": "domain: example.test\n\(proxy)acme:\n  email: ops@example.test\n\(acme)",
            "projects/web/compose.yml": Repo.webCompose,
            "projects/web/project.yml": "ingress:\n  - service: web\n    hosts: \(hosts)\n    port: 80\n",
        ]
        for (k, v) in extra { files[k] = v }
        return files
    }

    @Test func dnsWithCredentialsFromTheEnvironmentAndACARootLoad() throws {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let repo = try Repo.load(Self.files("""
              ca: https://127.0.0.1:14000/dir
              ca_root: certs/ca.pem
              challenge: dns
              dns_provider: rfc2136
              dns_credentials: [RFC2136_TSIG_SECRET, RFC2136_NAMESERVER]
              certificates_duration: 24
              dns_check_authoritative: false
            """, hosts: "[\"*.apps.example.test\"]", extra: ["certs/ca.pem": pem]),
            environment: ["RFC2136_TSIG_SECRET": "c2VjcmV0", "RFC2136_NAMESERVER": "127.0.0.1:53"])
        let acme = repo.platform.acme
        #expect(acme.challenge == .dns && acme.dnsProvider == "rfc2136" && acme.certificatesDuration == 24 && !acme.dnsCheckAuthoritative)
        #expect(acme.dnsCredentials == ["RFC2136_TSIG_SECRET", "RFC2136_NAMESERVER"])
        #expect(acme.caRoot == repo.root.appendingPathComponent("certs/ca.pem").path)
        // The configuration holds the names only.
        #expect(!"\(repo.platform)".contains("c2VjcmV0"))
    }

    /// The platform's own `secrets.enc.env` (SOPS + age, decrypted by the real sops) is the first source;
    /// berth's environment fills in what it does not hold. Values are `SecretValue`s: never printed.
    @Test func credentialsComeFromThePlatformSecretsThenTheEnvironment() throws {
        let sops = try SopsFixture()
        defer { sops.cleanup() }
        let root = Repo.write(Self.files("  challenge: dns\n  dns_provider: rfc2136\n  dns_credentials: [RFC2136_TSIG_SECRET, RFC2136_NAMESERVER]\n"))
        defer { Fixtures.cleanup(root) }
        try sops.encrypt([("RFC2136_TSIG_SECRET", "from-sops-c2VjcmV0")], to: root.appendingPathComponent("secrets.enc.env"))
        var env = sops.environment
        env["RFC2136_NAMESERVER"] = "127.0.0.1:53"
        env["RFC2136_TSIG_SECRET"] = "from-env"
        let acme = try Fixtures.load(root, environment: env).platform.acme
        #expect(acme.dnsCredentialValues.mapValues { $0.reveal() } == ["RFC2136_TSIG_SECRET": "from-sops-c2VjcmV0", "RFC2136_NAMESERVER": "127.0.0.1:53"])
        #expect(!"\(acme)".contains("from-sops"))
        env["RFC2136_NAMESERVER"] = nil
        do {
            _ = try Fixtures.load(root, environment: env)
            Issue.record("a credential in neither source must be an error")
        } catch let error as ConfigError {
            expectSingle(error.diagnostics, "platform.yml", 6, 42, "'RFC2136_NAMESERVER' is not set")
        }
    }

    @Test func credentialsResolveFromOneSource() {
        let source = ["A": "1", "B": "", "C": "3"]
        #expect(ACMECredentials.resolve(["A", "B", "C", "D"], from: source) == ["A": "1", "C": "3"])
        #expect(ACMECredentials.missing(["A", "B", "D"], in: source) == ["B", "D"])
    }

    struct Case: Sendable, CustomStringConvertible {
        var acme: String
        var proxy = ""
        var hosts = "[a.example.test]"
        var line: Int
        var column: Int
        var fragment: String
        var description: String { fragment }
    }

    static let cases: [Case] = [
        Case(acme: "  challenge: tls_alpn\n", line: 4, column: 14, fragment: "must be http, tls-alpn or dns, found 'tls_alpn' (did you mean 'tls-alpn'?)"),
        Case(acme: "  ca_root: missing.pem\n", line: 4, column: 12, fragment: "cannot read 'missing.pem'"),
        Case(acme: "  ca_root: platform.yml\n", line: 4, column: 12, fragment: "holds no PEM certificate"),
        Case(acme: "  challenge: dns\n  dns_provider: cloudflare\n  dns_credentials: [CF_DNS_API_TOKEN]\n", line: 6, column: 21,
             fragment: "the DNS provider's credential 'CF_DNS_API_TOKEN' is not set: add it to the platform's secrets (berth secrets set --platform CF_DNS_API_TOKEN) or export CF_DNS_API_TOKEN"),
        Case(acme: "  challenge: dns\n  dns_provider: cloudflare\n  dns_credentials: [cf-token]\n", line: 6, column: 21, fragment: "is not an environment variable name"),
        Case(acme: "  dns_provider: cloudflare\n", line: 4, column: 17, fragment: "'dns_provider', 'dns_credentials' and 'dns_check_authoritative' need 'challenge: dns'"),
        Case(acme: "  challenge: dns\n  dns_provider: cloudflare\n", proxy: "proxy: {kind: caddy}\n", line: 5, column: 14,
             fragment: "the dns challenge needs a DNS provider module, which stock Caddy does not have"),
        Case(acme: "  certificates_duration: 1\n", proxy: "proxy: {kind: caddy}\n", line: 5, column: 26, fragment: "'certificates_duration' is Traefik's"),
        Case(acme: "  storage: /data/acme.json\n", line: 4, column: 12, fragment: "must be a file under /letsencrypt/"),
        Case(acme: "", hosts: "[a.example.test, \"*.apps.example.test\"]", line: 3, column: 29,
             fragment: "the wildcard host '*.apps.example.test' needs a certificate through the dns challenge"),
    ]

    @Test(arguments: cases)
    func problems(_ c: Case) {
        let diagnostics = Repo.problems(Self.files(c.acme, proxy: c.proxy, hosts: c.hosts))
        let file = c.fragment.contains("wildcard") ? "projects/web/project.yml" : "platform.yml"
        expectSingle(diagnostics, file, c.line, c.column, c.fragment)
    }

    @Test func wildcardsNeedNoChallengeWithoutACMEOrWithoutTLS() {
        var files = Self.files("", hosts: "[\"*.apps.example.test\"]")
        files["platform.yml"] = "domain: example.test\n"
        #expect(Repo.problems(files).isEmpty)
        files = Self.files("", hosts: "[\"*.apps.example.test\"]\n    tls: false")
        #expect(Repo.problems(files).isEmpty)
        expectSingle(Repo.problems(Self.files("", hosts: "[\"*.example\"]")), "projects/web/project.yml", 3, 13, "is not a valid host name")
    }
}
