import BerthConfig
import BerthPlan
@testable import BerthRender
import Testing

/// Traefik's ACME rendering: one resolver per challenge kind, certificatesDuration, and wildcard hosts
/// (a regular expression rule plus `tls.domains`, since Traefik cannot derive the names from it).
@Suite struct TraefikACMETests {
    static func state(acme: String, hosts: String = "[shop.example.test]") throws -> DesiredState {
        try RenderFixture.state(
            platform: "domain: example.test\nacme:\n  email: ops@example.test\n\(acme)",
            projects: ["shop": (RenderFixture.compose("web"), "ingress:\n  - {service: web, hosts: \(hosts), port: 8080}\n")])
    }

    @Test func tlsALPNUsesTheTLSChallengeAndCertificatesDurationIsPassedOn() throws {
        let doc = TraefikRenderer.staticDocument(try Self.state(acme: "  challenge: tls-alpn\n  certificates_duration: 1\n").platform)
        let acme = doc["certificatesResolvers", "letsencrypt", "acme"]
        #expect(acme?["tlsChallenge"] == .object([]))
        #expect(acme?["httpChallenge"] == nil && acme?["dnsChallenge"] == nil)
        #expect(acme?["certificatesDuration"] == .int(1))
        let http = TraefikRenderer.staticDocument(try Self.state(acme: "").platform)["certificatesResolvers", "letsencrypt", "acme"]
        #expect(http?["httpChallenge"] == .object([("entryPoint", .string("web"))]) && http?["certificatesDuration"] == nil)
    }

    @Test func aWildcardHostIsARegexpRuleWithExplicitCertificateDomains() throws {
        let state = try Self.state(acme: "  challenge: dns\n  dns_provider: rfc2136\n  resolvers: [127.0.0.1:53]\n  dns_check_authoritative: false\n", hosts: "[\"*.apps.example.test\", apps.example.test]")
        let doc = TraefikRenderer.routesDocument(state.routes, platform: state.platform)
        let router = doc["http", "routers", "shop-web-1"]
        #expect(router?["rule"] == .string("HostRegexp(`^[^.]+\\.apps\\.example\\.test$`) || Host(`apps.example.test`)"))
        #expect(router?["tls"] == .object([
            ("certResolver", .string("letsencrypt")),
            ("domains", .array([.object([("main", .string("*.apps.example.test")), ("sans", .strings(["apps.example.test"]))])])),
        ]))
        #expect(TraefikRenderer.staticDocument(state.platform)["certificatesResolvers", "letsencrypt", "acme", "dnsChallenge"] == .object([
            ("provider", .string("rfc2136")), ("resolvers", .strings(["127.0.0.1:53"])),
            ("propagation", .object([("disableANSChecks", .bool(true))])),
        ]))
        let plain = try Self.state(acme: "")
        #expect(TraefikRenderer.routesDocument(plain.routes, platform: plain.platform)["http", "routers", "shop-web-1", "tls"]
            == .object([("certResolver", .string("letsencrypt"))]))
    }
}
