import BerthConfig
import BerthProxy
import Foundation
import Testing
import TestSupport

/// `berth certs`' reading: real certificates made with openssl, in the layouts Traefik (acme.json) and
/// Caddy (data directory) store them, and the status of each routed host.
@Suite struct CertificateStoreTests {
    static func platform(_ kind: ProxyKind, resolver: String = "letsencrypt") -> PlatformConfig {
        var p = PlatformConfig(domain: "example.test")
        p.proxy.kind = kind
        p.acme.email = "ops@example.test"
        p.acme.resolverName = resolver
        return p
    }

    @Test func theLeafOfAChainGivesNamesDatesIssuerAndSerial() throws {
        let leaf = try TestCertificates.make(names: ["a.example.test", "*.b.example.test"], notBefore: TestCertificates.date(days: -1),
                                             notAfter: TestCertificates.date(days: 30), issuer: "Leaf Test CA")
        let other = try TestCertificates.make(names: ["intermediate.test"], notBefore: TestCertificates.date(days: -1), notAfter: TestCertificates.date(days: 300))
        let info = try CertificateInfo(pemChain: leaf + other, source: "test")
        #expect(info.sans == ["a.example.test", "*.b.example.test"])
        #expect(info.issuer.contains("Leaf Test CA"))
        #expect(abs(info.notAfter.timeIntervalSinceNow - 30 * 86_400) < 120)
        #expect(!info.serial.isEmpty)
        #expect(info.covers("A.example.test") && info.covers("x.b.example.test") && info.covers("*.b.example.test"))
        #expect(!info.covers("b.example.test") && !info.covers("y.x.b.example.test") && !info.covers("c.example.test"))
        #expect(throws: (any Error).self) { try CertificateInfo(pemChain: "no certificate here", source: "test") }
    }

    @Test func eachHostGetsTheLongestLastingCertificateThatCoversIt() throws {
        let now = Date()
        func cert(_ names: [String], days: Double) -> CertificateInfo {
            CertificateInfo(issuer: "CN=t", sans: names, notBefore: now.addingTimeInterval(-86_400), notAfter: now.addingTimeInterval(days * 86_400),
                            serial: "\(days)", source: "t")
        }
        let report = CertificateReport.hosts(["ok.test", "soon.test", "old.test", "none.test", "x.wild.test"], certificates: [
            cert(["ok.test"], days: 60), cert(["ok.test"], days: 20), cert(["soon.test"], days: 13.5), cert(["old.test"], days: -2),
            cert(["*.wild.test"], days: 40),
        ], now: now)
        #expect(report.map(\.status) == [.ok, .expiring, .expired, .missing, .ok])
        #expect(report[0].daysLeft == 60 && report[0].certificate?.serial == "60.0")
        #expect(report[1].daysLeft == 13 && report[2].daysLeft == -2 && report[3].certificate == nil)
    }

    @Test func traefikACMEJSONIsReadForTheResolverWithoutTheKey() throws {
        let dir = Fixtures.tempDirectory("berth-certs-traefik")
        defer { Fixtures.cleanup(dir) }
        let pem = try TestCertificates.make(names: ["a.example.test", "b.example.test"], notBefore: TestCertificates.date(days: -1), notAfter: TestCertificates.date(days: 50))
        let json = """
            {"le": {"Account": {"Email": "ops@example.test", "PrivateKey": "c2VjcmV0"},
                    "Certificates": [{"domain": {"main": "a.example.test", "sans": ["b.example.test"]},
                                      "certificate": "\(Data(pem.utf8).base64EncodedString())", "key": "bm90LWEta2V5", "Store": "default"}]},
             "other": {"Certificates": null}}
            """
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("letsencrypt"), withIntermediateDirectories: true)
        try json.write(to: dir.appendingPathComponent("letsencrypt/acme.json"), atomically: true, encoding: .utf8)
        let found = try CertificateStore(directory: dir, platform: Self.platform(.traefik, resolver: "le")).certificates()
        #expect(found.map(\.sans) == [["a.example.test", "b.example.test"]])
        #expect(try CertificateStore(directory: dir, platform: Self.platform(.traefik, resolver: "other")).certificates().isEmpty)
        // Nothing stored yet: no certificates, not an error.
        #expect(try CertificateStore(directory: dir.appendingPathComponent("none"), platform: Self.platform(.traefik)).certificates().isEmpty)
        try "{not json".write(to: dir.appendingPathComponent("letsencrypt/acme.json"), atomically: true, encoding: .utf8)
        #expect(throws: CertificateReadError.self) { try CertificateStore(directory: dir, platform: Self.platform(.traefik, resolver: "le")).certificates() }
    }

    @Test func caddyDataDirectoryIsReadPerIssuerAndName() throws {
        let dir = Fixtures.tempDirectory("berth-certs-caddy")
        defer { Fixtures.cleanup(dir) }
        for (issuer, name) in [("127.0.0.1-14000-dir", "a.example.test"), ("local", "wildcard_.example.test")] {
            let folder = dir.appendingPathComponent("data/caddy/certificates/\(issuer)/\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let host = name.replacingOccurrences(of: "wildcard_", with: "*")
            let pem = try TestCertificates.make(names: [host], notBefore: TestCertificates.date(days: -1), notAfter: TestCertificates.date(days: 10))
            try pem.write(to: folder.appendingPathComponent("\(name).crt"), atomically: true, encoding: .utf8)
            try "PRIVATE KEY".write(to: folder.appendingPathComponent("\(name).key"), atomically: true, encoding: .utf8)
        }
        let found = try CertificateStore(directory: dir, platform: Self.platform(.caddy)).certificates()
        #expect(found.map(\.sans) == [["a.example.test"], ["*.example.test"]])
        let report = CertificateReport.hosts(["a.example.test", "z.example.test"], certificates: found)
        #expect(report.map(\.status) == [.expiring, .expiring])
    }
}
