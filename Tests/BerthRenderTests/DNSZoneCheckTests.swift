import BerthConfig
import BerthPlan
import BerthRender
import Foundation
import Testing
import TestSupport

/// Every rendered zone is read by real DNS software: BIND's named-checkzone (Debian bind9-utils).
@Suite struct DNSZoneCheckTests {
    static func checkzone(_ zone: String, _ contents: String) throws -> (status: Int32, output: String) {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/named-checkzone"),
                     "named-checkzone is missing: run scripts/setup.sh (apt-get install bind9-utils)")
        let dir = Fixtures.tempDirectory("berth-zone")
        defer { Fixtures.cleanup(dir) }
        let file = dir.appendingPathComponent("\(zone).zone")
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return try Fixtures.run(["/usr/bin/named-checkzone", "-k", "fail", "-n", "fail", "-i", "full", zone, file.path])
    }

    static func checkAll(_ state: DesiredState) throws -> Int {
        let zones = DNSRenderer.render(state, previous: { _ in nil }).filter { $0.path.hasSuffix(".zone") }
        for file in zones {
            let zone = String(file.path.dropFirst("dns/".count).dropLast(".zone".count))
            let result = try checkzone(zone, file.contents)
            #expect(result.status == 0, "named-checkzone refused \(file.path):\n\(result.output)\n\(file.contents)")
            #expect(result.output.contains("loaded serial"))
        }
        return zones.count
    }

    @Test func theFixtureZonesWithEveryRecordTypeAndAWildcardAreAccepted() throws {
        let dir = Fixtures.repository(DNSFixtures.files())
        defer { Fixtures.cleanup(dir) }
        #expect(try Self.checkAll(DesiredStateBuilder(repository: Fixtures.load(dir)).build()) == 2)
    }

    @Test func theHomelabZonesAreAccepted() throws {
        #expect(try Self.checkAll(RenderFixture.homelab()) == 2)
    }

    @Test func aGeneratedRepositoryOf40ProjectsIsAccepted() throws {
        let dir = Fixtures.tempDirectory("berth-generated")
        defer { Fixtures.cleanup(dir) }
        let generated = try Fixtures.run(["python3", Fixtures.packageRoot.appendingPathComponent("scripts/generate-repo.py").path, dir.path, "40"])
        try #require(generated.status == 0, "\(generated.output)")
        let platform = dir.appendingPathComponent("platform.yml")
        try (String(contentsOf: platform, encoding: .utf8) + "dns:\n  addresses: [198.51.100.7, \"2001:db8::7\"]\n")
            .write(to: platform, atomically: true, encoding: .utf8)
        let state = try DesiredStateBuilder(repository: Fixtures.load(dir)).build()
        let zone = try #require(DNSZone.zones(state).first)
        #expect(zone.hosts.count >= 40)
        #expect(try Self.checkAll(state) == 1)
    }

    /// The check is worth something only if named-checkzone refuses what is wrong: a CNAME beside other data.
    @Test func namedCheckzoneRefusesACNAMEBesideOtherData() throws {
        let zone = "$ORIGIN bad.test.\n$TTL 60\n@ IN SOA ns.bad.test. h.bad.test. 1 60 60 600 60\n@ IN NS ns\nns IN A 192.0.2.1\nx IN CNAME ns\nx IN A 192.0.2.2\n"
        #expect(try Self.checkzone("bad.test", zone).status != 0)
    }
}
