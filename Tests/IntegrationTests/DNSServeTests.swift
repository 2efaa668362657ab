import BerthConfig
import BerthPlan
import BerthRender
import Foundation
import Testing
import TestSupport

/// The rendered zones served by a real knotd (Debian's, on 127.0.0.1 with the knot.conf Berth renders),
/// asked with kdig and with `berth dns check`.
@Suite(.serialized) struct DNSServeTests {
    static func state(_ files: [String: String]) throws -> (DesiredState, URL) {
        let dir = Fixtures.repository(files)
        return (try DesiredStateBuilder(repository: Fixtures.load(dir)).build(), dir)
    }

    static func zones(_ state: DesiredState, previous: [RenderedFile] = []) -> [(zone: String, contents: String)] {
        DNSRenderer.render(state, previous: { path in previous.first { $0.path == path }?.contents })
            .filter { $0.path.hasSuffix(".zone") }
            .map { (String($0.path.dropFirst(4).dropLast(5)), $0.contents) }
    }

    static func dig(_ name: String, _ type: String = "A", short: Bool = true) async -> String {
        await E2ECommand.run(["kdig", "@127.0.0.1", "-p", "\(E2EKnot.zonePort)", "+time=2", "+retry=1"] + (short ? ["+short"] : []) + [name, type], timeout: 10)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func knotAnswersEveryRoutedHostTheWildcardAndEveryRecordType() async throws {
        let (state, dir) = try Self.state(DNSFixtures.files())
        defer { Fixtures.cleanup(dir) }
        try await E2EKnot.serve(zones: Self.zones(state)) { _ in
            for host in ["site.example.test", "example.test", "anything.apps.example.test", "shop.other.test", "ns.example.test"] {
                #expect(await Self.dig(host) == "203.0.113.10", "\(host) A")
                #expect(await Self.dig(host, "AAAA") == "2001:db8::10", "\(host) AAAA")
            }
            #expect(await Self.dig("www2.example.test", "CNAME") == "site.example.test.")
            #expect(await Self.dig("example.test", "MX") == "10 mail.example.test.")
            #expect(await Self.dig("_sip._tcp.example.test", "SRV") == "10 5 5060 mail.example.test.")
            #expect(await Self.dig("example.test", "CAA") == "0 issue \"letsencrypt.org\"")
            #expect(await Self.dig("example.test", "TXT") == "\"v=spf1 mx -all\"")
            #expect(await Self.dig("other.test", "TXT") == "\"say \\\"hi\\\" \\\\ there\"")
            #expect(await Self.dig("mail.example.test") == "203.0.113.25")
            // A name in the zone that nothing defines: NXDOMAIN (also one level below the wildcard's parent).
            #expect(await Self.dig("nothing.example.test", short: false).contains("status: NXDOMAIN"))
            // Outside every zone (the ext project's host): the authoritative server refuses.
            #expect(await Self.dig("blog.elsewhere.test", short: false).contains("status: REFUSED"))
        }
    }

    @Test func dnsCheckSaysOkMissingWrongAndExitsOneOnAProblem() async throws {
        var files = DNSFixtures.files()
        files["projects/ext/project.yml"] = DNSFixtures.project(["blog.example.test"])
        let (state, dir) = try Self.state(files)
        defer { Fixtures.cleanup(dir) }
        try await E2EKnot.serve(zones: Self.zones(state)) { _ in
            let server = "127.0.0.1:\(E2EKnot.zonePort)"
            let ok = try BerthBinary.run(["dns", "check", "-c", dir.path, "--server", server])
            #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
            #expect(ok.stdout.contains("ok      *.apps.example.test → 203.0.113.10, 2001:db8::10 (asked berth-wildcard-probe.apps.example.test)"), "\(ok.stdout)")
            #expect(ok.stdout.contains("5 hosts ok"), "\(ok.stdout)")

            // A host the served zone does not have yet, and addresses the zone does not give.
            try DNSFixtures.project(["blog.example.test", "new.example.test"]).write(to: dir.appendingPathComponent("projects/ext/project.yml"), atomically: true, encoding: .utf8)
            let missing = try BerthBinary.run(["dns", "check", "-c", dir.path, "--server", server, "--json"])
            #expect(missing.status == 1)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any])
            let hosts = try #require(report["hosts"] as? [[String: Any]])
            let new = try #require(hosts.first { $0["host"] as? String == "new.example.test" })
            #expect(new["status"] as? String == "missing")
            #expect((new["fix"] as? String)?.contains("add new.example.test → 203.0.113.10, 2001:db8::10 to zone example.test") == true, "\(new)")
            #expect(report["ok"] as? Bool == false)
            #expect(hosts.filter { $0["status"] as? String == "ok" }.count == 5)

            let platform = dir.appendingPathComponent("platform.yml")
            try (try String(contentsOf: platform, encoding: .utf8)).replacingOccurrences(of: "[203.0.113.10, \"2001:db8::10\"]", with: "[203.0.113.99]")
                .write(to: platform, atomically: true, encoding: .utf8)
            let wrong = try BerthBinary.run(["dns", "check", "-c", dir.path, "--server", server])
            #expect(wrong.status == 1)
            #expect(wrong.stdout.contains("wrong   site.example.test → 203.0.113.10"), "\(wrong.stdout)")
            #expect(wrong.stdout.contains("fix: point site.example.test at 203.0.113.99 instead of 203.0.113.10"), "\(wrong.stdout)")
        }
        // Nobody on the port any more: an error for every host, exit 1, no hang.
        let down = try BerthBinary.run(["dns", "check", "-c", dir.path, "--server", "127.0.0.1:\(E2EKnot.zonePort)"])
        #expect(down.status == 1 && down.stdout.contains("error"), "\(down.stdout)")
    }

    @Test func aNewHostGetsAHigherSerialAndKnotServesItAfterAReload() async throws {
        let (state, dir) = try Self.state(DNSFixtures.files())
        defer { Fixtures.cleanup(dir) }
        let first = DNSRenderer.render(state, previous: { _ in nil })
        let zones = Self.zones(state)
        try await E2EKnot.serve(zones: zones) { knot in
            let serial = await Self.dig("example.test", "SOA").split(separator: " ")[2]
            #expect(await Self.dig("team-c.example.test").isEmpty)
            var changed = state
            changed.projects[0].routes[0].hosts.append("team-c.example.test")
            let next = Self.zones(changed, previous: first)
            #expect(next.first { $0.zone == "other.test" }?.contents == zones.first { $0.zone == "other.test" }?.contents, "an unchanged zone is the same file")
            let example = try #require(next.first { $0.zone == "example.test" })
            try example.contents.write(to: knot.directory.appendingPathComponent("example.test.zone"), atomically: true, encoding: .utf8)
            knot.reload()
            var answer = ""
            for _ in 0..<50 where answer.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                answer = await Self.dig("team-c.example.test")
            }
            #expect(answer == "203.0.113.10")
            let newSerial = await Self.dig("example.test", "SOA").split(separator: " ")[2]
            #expect(UInt32(newSerial)! > UInt32(serial)!)
        }
    }
}
