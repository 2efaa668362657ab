import BerthConfig
import Testing
import TestSupport

@Suite struct DNSConfigTests {
    @Test func theFixtureLoadsWithEveryRecordType() throws {
        let repository = try Repo.load(DNSFixtures.files())
        let dns = try #require(repository.platform.dns)
        #expect(dns.zones == ["example.test", "other.test"])
        #expect(dns.addresses == ["203.0.113.10", "2001:db8::10"])
        #expect(dns.ttl == 120)
        #expect(Set(dns.records.map(\.type)) == Set(DNSRecordType.allCases))
        #expect(dns.records.contains { $0.data == .srv(priority: 10, weight: 5, port: 5060, target: "mail.example.test") && $0.ttl == 600 })
        #expect(dns.records.contains { $0.data == .caa(flags: 0, tag: "issue", value: "letsencrypt.org") })
        #expect(dns.server.kind == .none)
        // The host outside both zones is a warning (not served), not an error.
        #expect(repository.warnings.contains { $0.message.contains("host 'blog.elsewhere.test' is outside every zone Berth owns") })
        #expect(repository.warnings.first { $0.message.contains("blog.elsewhere.test") }?.location.file == "projects/ext/project.yml")
    }

    @Test func theZoneDefaultsToThePlatformDomain() throws {
        let repository = try Repo.load(["platform.yml": "domain: Example.Test\ndns:\n  addresses: 127.0.0.1\n  server: {kind: knot, address: 127.0.0.1, port: 5353}\n"])
        let dns = try #require(repository.platform.dns)
        #expect(dns.zones == ["example.test"])
        #expect(dns.server.kind == .knot && dns.server.port == 5353 && dns.server.resolvedImage == "berth/knot:3.2")
    }

    static let bad: [(String, String)] = [
        ("dns:\n  zones: [example.test]\n", "'dns' needs 'addresses'"),
        ("dns:\n  addresses: [300.1.1.1]\n", "'300.1.1.1' in 'dns.addresses' is not an IPv4 or IPv6 address"),
        ("dns:\n  addresses: [1.2.3.4]\n  zones: [example.test, a.example.test]\n", "zone 'a.example.test' overlaps zone 'example.test'"),
        ("dns:\n  addresses: [1.2.3.4]\n  ttls: 5\n", "unknown key 'ttls' in 'dns' in platform.yml (did you mean 'ttl'?)"),
        ("dns:\n  addresses: [1.2.3.4]\n  server: {kind: bind}\n", "'kind' in 'dns.server' must be none, coredns or knot, found 'bind'"),
        ("dns:\n  addresses: [1.2.3.4]\n  forwarders: [dns.google]\n", "'dns.google' in 'dns.forwarders' is not a resolver address"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: a.example.test, type: A, value: '2001:db8::1'}\n",
         "'2001:db8::1' is not an IPv4 address for the A record 'a.example.test'"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: a.elsewhere.test, type: A, value: 1.2.3.4}\n",
         "record 'a.elsewhere.test' is outside every zone Berth owns (example.test)"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: a.example.test, type: PTR, value: x}\n", "record type 'PTR' is not one of A, AAAA, CNAME"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: a.example.test, type: MX, value: mail.example.test}\n",
         "is not 'PREFERENCE HOST'"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: a.example.test, type: SRV, value: '1 2 70000 x.example.test'}\n",
         "is not 'PRIORITY WEIGHT PORT TARGET'"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: example.test, type: CAA, value: '0 policy x'}\n", "is not 'FLAGS TAG VALUE'"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: example.test, type: CNAME, value: b.example.test}\n",
         "a CNAME cannot be at the zone apex 'example.test'"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: a.example.test, type: TXT, value: x}\n    - {name: a.example.test, type: CNAME, value: b.example.test}\n",
         "a.example.test has a CNAME and other data (TXT at platform.yml:5:7)"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: a.example.test, type: A, value: 1.2.3.4}\n    - {name: a.example.test, type: A, value: 1.2.3.4}\n",
         "record a.example.test A is listed twice"),
        ("dns:\n  addresses: [1.2.3.4]\n  records:\n    - {name: ns.example.test, type: CNAME, value: b.example.test}\n",
         "'ns.example.test' is a name server of the zone and cannot be a CNAME"),
        ("dns:\n  addresses: [1.2.3.4]\n  admin: hostmaster\n", "'admin' in 'dns' must be a mail address"),
        ("entrypoints:\n  dns: {port: 53, protocol: udp}\ndns:\n  addresses: [1.2.3.4]\n  server: {kind: knot}\n",
         "dns.server.port 53 is also entrypoint 'dns' on the same address"),
    ]

    @Test(arguments: bad)
    func badDNSSettingsAreErrorsAtTheirPosition(yaml: String, message: String) {
        let problems = Repo.problems(["platform.yml": "domain: example.test\n" + yaml])
        #expect(problems.contains { $0.description.contains(message) && $0.location.file == "platform.yml" && $0.location.line > 1 },
                "\(problems.map(\.description))")
    }

    @Test func aRecordMayNotGiveARoutedHostOtherAddressesOrACNAME() {
        var files = DNSFixtures.files()
        files["platform.yml"] = DNSFixtures.platform().replacingOccurrences(
            of: "    - {name: other.test, type: TXT",
            with: "    - {name: site.example.test, type: CNAME, value: mail.example.test}\n    - {name: other.test, type: TXT")
        let problems = Repo.problems(files)
        #expect(problems.contains { $0.description.contains("CNAME record 'site.example.test' clashes with the host routed to project 'site' service 'web'") },
                "\(problems.map(\.description))")
    }
}
