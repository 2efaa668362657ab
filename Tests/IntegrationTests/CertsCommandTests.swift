import Foundation
import Testing
import TestSupport

/// `berth certs` on a repository whose proxy storage holds real (openssl-made) certificates: the
/// routed TLS hosts only, flags, JSON, and exit code 1 when a certificate has expired.
@Suite struct CertsCommandTests {
    static func repository(hosts: [String]) -> URL {
        Fixtures.repository([
            "platform.yml": "domain: example.test\nacme: {email: ops@example.test}\n",
            "projects/web/compose.yml": "services:\n  web:\n    image: berth-demo/app:1\n",
            "projects/web/project.yml": """
                ingress:
                  - {service: web, hosts: [\(hosts.joined(separator: ", "))], port: 8080}
                  - {service: web, hosts: [plain.example.test], port: 8080, path: /plain, tls: false}
                """,
        ])
    }

    static func store(_ state: URL, _ pems: [String]) throws {
        let dir = state.appendingPathComponent("example-test/proxy/letsencrypt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let entries = pems.map { "{\"domain\": {\"main\": \"x\"}, \"certificate\": \"\(Data($0.utf8).base64EncodedString())\", \"key\": \"a2V5\"}" }
        try "{\"letsencrypt\": {\"Certificates\": [\(entries.joined(separator: ","))]}}"
            .write(to: dir.appendingPathComponent("acme.json"), atomically: true, encoding: .utf8)
    }

    @Test func listsEveryTLSHostAndExitsOneWhenACertificateExpired() throws {
        let repo = Self.repository(hosts: ["ok.example.test", "soon.example.test", "old.example.test", "none.example.test"])
        let state = Fixtures.tempDirectory("berth-certs-state")
        defer { Fixtures.cleanup(repo); Fixtures.cleanup(state) }
        let past = TestCertificates.date(days: -1)
        try Self.store(state, [
            try TestCertificates.make(names: ["ok.example.test"], notBefore: past, notAfter: TestCertificates.date(days: 60)),
            try TestCertificates.make(names: ["soon.example.test"], notBefore: past, notAfter: TestCertificates.date(days: 5)),
            try TestCertificates.make(names: ["old.example.test"], notBefore: TestCertificates.date(days: -90), notAfter: TestCertificates.date(days: -3)),
        ])
        let text = try BerthBinary.run(["certs", "-c", repo.path, "--state-dir", state.path])
        #expect(text.status == 1, "\(text.stdout)\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(text.stdout)")
        #expect(lines.contains { $0.hasPrefix("ok.example.test  ok") && $0.contains("59 days left") })
        #expect(lines.contains { $0.hasPrefix("soon.example.test  expiring") })
        #expect(lines.contains { $0.hasPrefix("old.example.test  expired") })
        #expect(lines.contains { $0.hasPrefix("none.example.test  missing") })
        #expect(!text.stdout.contains("plain.example.test"), "a tls: false route has no certificate to show")

        let json = try BerthBinary.run(["certs", "--json", "-c", repo.path, "--state-dir", state.path])
        #expect(json.status == 1)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["host"] as? String } == ["ok.example.test", "soon.example.test", "old.example.test", "none.example.test"])
        #expect(entries.map { $0["status"] as? String } == ["ok", "expiring", "expired", "missing"])
        #expect(entries[0]["sans"] as? [String] == ["ok.example.test"] && entries[0]["days_left"] as? Int == 59)
        #expect((entries[0]["issuer"] as? String)?.contains("berth test CA") == true && entries[0]["not_after"] is String)
    }

    @Test func nothingExpiredExitsZero() throws {
        let repo = Self.repository(hosts: ["ok.example.test"])
        let state = Fixtures.tempDirectory("berth-certs-state")
        defer { Fixtures.cleanup(repo); Fixtures.cleanup(state) }
        try Self.store(state, [try TestCertificates.make(names: ["ok.example.test"], notBefore: TestCertificates.date(days: -1), notAfter: TestCertificates.date(days: 5))])
        let result = try BerthBinary.run(["certs", "-c", repo.path, "--state-dir", state.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("ok.example.test  expiring"), "\(result.stdout)")
    }
}
