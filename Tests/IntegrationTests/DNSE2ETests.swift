import Foundation
import Testing
import TestSupport

/// The DNS stack end to end: `berth apply` runs Knot DNS (berth/knot:3.2) beside Traefik on
/// 127.0.0.1:18053 with the rendered zone, and keeps it up to date as projects come and go.
// Nested in ApplyE2ETests: takes turns with the other Docker e2e tests (one proxy on 127.0.0.1:18080).
extension ApplyE2ETests {
    @Suite(.serialized, .tags(.e2e), .timeLimit(.minutes(4)))
    struct DNSE2ETests {
        static let port = 18053

        static let dns = """
            dns:
              addresses: [127.0.0.1]
              ttl: 30
              records:
                - {name: e2e.localhost, type: TXT, value: "berth dns e2e"}
              server: {kind: knot, address: 127.0.0.1, port: \(port)}
            """

        static func dig(_ name: String, _ type: String = "A") async -> String {
            await E2ECommand.run(["kdig", "@127.0.0.1", "-p", "\(port)", "+time=2", "+retry=1", "+short", name, type], timeout: 10)
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        static func serial() async -> UInt32? {
            let soa = await dig("e2e.localhost", "SOA").split(separator: " ")
            return soa.count > 2 ? UInt32(soa[2]) : nil
        }

        static func containerID(_ name: String) async -> String {
            await E2ECommand.docker(["inspect", "-f", "{{.Id}}", name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        @Test func applyServesTheRoutedHostsAndANewProjectBumpsTheSerial() async throws {
            try await E2EScenario.run("dns-") { s in
                try s.write("platform.yml", E2E.platformYAML(extra: Self.dns, traefik: true))
                try s.project("dns-a", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "a.dns.e2e.localhost"))
                let first = try await s.apply()
                try #require(first.status == 0, "\(first)")
                #expect(first.stdout.contains("create the DNS server berth-e2e-localhost-dns (knot, berth/knot:3.2, 127.0.0.1:\(Self.port))"), "\(first.stdout)")
                #expect(await Self.dig("a.dns.e2e.localhost") == "127.0.0.1")
                #expect(await Self.dig("e2e.localhost", "TXT") == "\"berth dns e2e\"")
                let serial = try #require(await Self.serial())
                let zoneFile = s.stateDir.appendingPathComponent("\(E2E.platformName)/dns/e2e.localhost.zone")
                #expect(DNSFile.serial(try String(contentsOf: zoneFile, encoding: .utf8)) == serial)
                // berth dns check asks the DNS stack by default.
                let check = try await BerthBinary.runAsync(["dns", "check", "-c", s.repo.path])
                #expect(check.status == 0 && check.stdout.contains("ok      a.dns.e2e.localhost → 127.0.0.1"), "\(check)")

                // Nothing changed: no plan, the same zone file and serial, the same server.
                let server = await Self.containerID(E2E.dnsContainer)
                let again = try await s.apply()
                #expect(again.status == 0 && !again.stdout.contains("DNS"), "\(again.stdout)")
                #expect(await Self.serial() == serial)

                // A new project: the zone is rewritten with a higher serial, knot reloads it (same container).
                let replicasOfA = await E2E.containers("dns-a")
                try s.project("dns-b", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "b.dns.e2e.localhost"))
                let plan = try await s.berth("plan", ["--live", "--json"])
                let planned = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any], "\(plan)")
                #expect((planned["dns_change"] as? String)?.hasPrefix("update the DNS zone e2e.localhost (serial ") == true, "\(planned)")
                let second = try await s.apply()
                try #require(second.status == 0, "\(second)")
                #expect(second.stdout.contains("update the DNS zone e2e.localhost (serial"), "\(second.stdout)")
                #expect(await Self.dig("b.dns.e2e.localhost") == "127.0.0.1")
                #expect(await Self.dig("a.dns.e2e.localhost") == "127.0.0.1")
                let bumped = try #require(await Self.serial())
                #expect(bumped > serial)
                #expect(await Self.containerID(E2E.dnsContainer) == server, "the DNS server was reloaded, not recreated")
                #expect(await E2E.containers("dns-a") == replicasOfA, "project dns-a was not touched")
                #expect(await E2EHTTP.waitFor("b.dns.e2e.localhost", "/cgi-bin/version") != nil)

                // dns.server removed: the next apply removes the container.
                try s.write("platform.yml", E2E.platformYAML(extra: Self.dns.replacingOccurrences(of: "kind: knot", with: "kind: none"), traefik: true))
                let third = try await s.apply()
                #expect(third.status == 0 && third.stdout.contains("remove the DNS server berth-e2e-localhost-dns"), "\(third)")
                #expect(!(await E2E.exists(container: E2E.dnsContainer)))
            }
        }

        @Test func tenantsCreatedAtOnceThroughTheAPIAreInTheZoneWhenTheirDeploysEndAndLeaveItWhenDeleted() async throws {
            try await E2EScenario.run("dnst-") { s in
                try s.write("platform.yml", E2E.platformYAML(extra: Self.dns, traefik: true))
                try s.write("templates/web/compose.yml", E2E.appCompose(replicas: 1))
                try s.write("templates/web/project.yml", E2E.appProject(host: "${host}"))
                try await E2EGit.initialize(s.repo)
                let admin = try await s.createToken("ops", scope: "admin")
                let daemon = try await ServeDaemon.start(s)
                defer { daemon.process.kill9() }
                // Two tenants at once: their deploys run concurrently (one daemon, a shared route table); neither
                // may write a zone without the other's host.
                var tasks: [String] = []
                for team in ["a", "b"] {
                    let created = await daemon.call("POST", "/v1/projects", token: admin,
                                                    body: "{\"template\": \"web\", \"name\": \"dnst-\(team)\", \"params\": {\"host\": \"\(team).tenant.e2e.localhost\"}}")
                    try #require(created.status == 202, "\(created)")
                    tasks.append(try #require((created.object["task"] as? [String: Any])?["id"] as? String))
                }
                for task in tasks {
                    let done = await daemon.waitForTask(task, token: admin)
                    #expect(done["state"] as? String == "succeeded", "\(done)")
                }
                // When the deploy tasks are done, the server answers for both new hosts (no further apply).
                #expect(await Self.dig("a.tenant.e2e.localhost") == "127.0.0.1")
                #expect(await Self.dig("b.tenant.e2e.localhost") == "127.0.0.1")
                let serial = try #require(await Self.serial())
                let removed = await daemon.call("DELETE", "/v1/projects/dnst-a", token: admin)
                try #require(removed.status == 202, "\(removed)")
                let teardown = try #require((removed.object["task"] as? [String: Any])?["id"] as? String)
                #expect(await daemon.waitForTask(teardown, token: admin)["state"] as? String == "succeeded")
                #expect(await Self.dig("a.tenant.e2e.localhost").isEmpty, "dnst-a's record left the zone")
                #expect(await Self.dig("b.tenant.e2e.localhost") == "127.0.0.1")
                #expect(try #require(await Self.serial()) > serial)
                _ = await daemon.stop()
            }
        }
    }
}

/// The serial of a rendered zone file (the number before `; serial`).
enum DNSFile {
    static func serial(_ text: String) -> UInt32? {
        text.split(separator: "\n").first { $0.contains("; serial") }.flatMap { UInt32($0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces)) }
    }
}
