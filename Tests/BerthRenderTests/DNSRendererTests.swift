import BerthConfig
import BerthPlan
import BerthRender
import Foundation
import Testing
import TestSupport

@Suite struct DNSRendererTests {
    static let day = Date(timeIntervalSince1970: 1_764_633_600)  // 2025-12-02 00:00 UTC

    static func fixture(server: String = "") throws -> DesiredState {
        let dir = Fixtures.repository(DNSFixtures.files(server: server))
        defer { Fixtures.cleanup(dir) }
        return try DesiredStateBuilder(repository: Fixtures.load(dir)).build()
    }

    static func file(_ files: [RenderedFile], _ path: String) throws -> String {
        try #require(files.first { $0.path == path }?.contents, "no \(path) in \(files.map(\.path))")
    }

    @Test func theZoneHasTheSOANSRoutedHostsWildcardAndExtraRecords() throws {
        let files = DNSRenderer.render(try Self.fixture(), previous: { _ in nil }, now: Self.day)
        #expect(files.map(\.path) == ["dns/example.test.zone", "dns/other.test.zone", "dns/Corefile", "dns/knot.conf"])
        let zone = try Self.file(files, "dns/example.test.zone")
        for line in [
            "$ORIGIN example.test.", "$TTL 120", "@ IN SOA ns.example.test. ops\\.team.example.test. (", "2025120201 ; serial",
            "@ IN NS ns.example.test. ; name server", "ns IN A 203.0.113.10 ; name server", "ns IN AAAA 2001:db8::10 ; name server",
            "@ IN A 203.0.113.10 ; project site", "@ IN AAAA 2001:db8::10 ; project site",
            "*.apps IN A 203.0.113.10 ; project apps", "site IN AAAA 2001:db8::10 ; project site",
            "mail IN A 203.0.113.25 ;", "www2 IN CNAME site.example.test. ;", "@ IN MX 10 mail.example.test. ;",
            "@ IN TXT \"v=spf1 mx -all\" ;", "_sip._tcp 600 IN SRV 10 5 5060 mail.example.test. ;",
            "@ IN CAA 0 issue \"letsencrypt.org\" ;",
        ] {
            #expect(zone.contains(line), "missing: \(line)\n\(zone)")
        }
        #expect(!zone.contains("shop") && !zone.contains("elsewhere"))
        let other = try Self.file(files, "dns/other.test.zone")
        #expect(other.contains("shop IN A 203.0.113.10 ; project shop"))
        #expect(other.contains("@ IN TXT \"say \\\"hi\\\" \\\\ there\" ;"))
    }

    @Test func aHostOutsideEveryZoneIsAWarningOfRender() throws {
        let output = PlatformRenderer.render(try Self.fixture())
        #expect(output.warnings.contains("dns: host blog.elsewhere.test (project ext) is outside every zone in dns.zones: not served"))
    }

    @Test func anUnchangedZoneKeepsItsSerialAndAChangeIncreasesIt() throws {
        let state = try Self.fixture()
        let first = DNSRenderer.render(state, previous: { _ in nil }, now: Self.day)
        let path = "dns/example.test.zone"
        let before = try Self.file(first, path)
        // Rendered again, days later, from the same state: the same file, serial included.
        let again = DNSRenderer.render(state, previous: { path in first.first { $0.path == path }?.contents }, now: Self.day.addingTimeInterval(86400 * 3))
        #expect(try Self.file(again, path) == before)
        // One more host: a higher serial, the same day (nn + 1) and days later (that day's first).
        var changed = state
        changed.projects[0].routes[0].hosts.append("new.example.test")
        let sameDay = DNSRenderer.render(changed, previous: { path in first.first { $0.path == path }?.contents }, now: Self.day)
        #expect(DNSRenderer.serial(in: try Self.file(sameDay, path)) == 2025120202)
        let later = DNSRenderer.render(changed, previous: { path in first.first { $0.path == path }?.contents }, now: Self.day.addingTimeInterval(86400))
        #expect(DNSRenderer.serial(in: try Self.file(later, path)) == 2025120301)
        // The other zone did not change: its serial stays.
        #expect(try Self.file(sameDay, "dns/other.test.zone") == (try Self.file(first, "dns/other.test.zone")))
    }

    @Test(arguments: [(nil, 2025120201), (2025120201, 2025120202), (2025120299, 2025120300), (2030010101, 2030010102), (2024010105, 2025120201)] as [(UInt32?, UInt32)])
    func theNextSerialIsTodaysFirstOrOneMore(old: UInt32?, next: UInt32) {
        #expect(DNSRenderer.nextSerial(after: old, now: Self.day) == next)
    }

    @Test func theCorefileServesEachZoneFromItsFileAndForwardsTheRest() throws {
        let corefile = try Self.file(DNSRenderer.render(try Self.fixture(), previous: { _ in nil }), "dns/Corefile")
        #expect(corefile.contains("example.test:53 {\n    file /etc/berth-dns/example.test.zone {\n        reload 5s\n    }\n    log\n    errors\n}"))
        #expect(corefile.contains("other.test:53 {\n    file /etc/berth-dns/other.test.zone {"))
        #expect(corefile.contains(".:53 {\n    forward . 9.9.9.9 127.0.0.1:5300\n    log\n    errors\n}"))
    }

    @Test func withoutForwardersTheCorefileServesOnlyTheZones() throws {
        let dns = DNSConfig(zones: ["example.test"], addresses: ["192.0.2.1"], location: Location(file: "platform.yml"))
        let corefile = DNSRenderer.corefile(dns)
        #expect(corefile.contains("example.test:53 {"))
        #expect(!corefile.contains("forward") && !corefile.contains(".:53"))
    }

    @Test func knotConfListsEveryZone() throws {
        let conf = DNSRenderer.knotConfig(zones: ["example.test", "other.test"], listen: "127.0.0.1@5353", zoneDirectory: "/z")
        #expect(conf.contains("listen: 127.0.0.1@5353"))
        #expect(conf.contains("storage: /z"))
        #expect(conf.contains("  - domain: example.test\n    file: example.test.zone\n  - domain: other.test\n    file: other.test.zone\n"))
    }

    @Test func withoutDNSNothingIsRendered() throws {
        let state = try RenderFixture.state(platform: "domain: example.test\n", projects: [:])
        #expect(DNSRenderer.render(state, previous: { _ in nil }).isEmpty)
    }

    @Test func homelabMatchesGoldenFiles() throws {
        let files = DNSRenderer.render(try RenderFixture.homelab(), previous: { _ in nil }, now: Self.day)
        for file in files {
            let mismatch = try Golden.mismatch(file, set: "homelab")
            #expect(mismatch == nil, "\(mismatch ?? "")")
        }
        if !Golden.updating {
            #expect(Golden.files(set: "homelab", under: "dns") == files.map(\.path).sorted())
        }
    }
}
