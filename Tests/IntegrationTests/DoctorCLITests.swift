import Foundation
import Testing
import TestSupport

/// `berth doctor`'s command line without a Docker daemon: what it says when the daemon is not there, and
/// its refusals of bad arguments.
@Suite struct DoctorCLITests {
    func run(_ arguments: [String], dockerHost: String) async throws -> E2ECommandResult {
        try await BerthBinary.start(["doctor"] + arguments, environment: ["DOCKER_HOST": dockerHost]).wait(timeout: 60)
    }

    @Test func withoutADaemonTheServicesAreStillCheckedFromTheRepository() async throws {
        var files = DoctorFixtures.goodProject()
        files["platform.yml"] = DoctorFixtures.platform()
        let repo = Fixtures.repository(files)
        defer { Fixtures.cleanup(repo) }
        let missing = "unix:///tmp/berth-doctor-no-daemon-\(UUID().uuidString.prefix(6)).sock"
        let result = try await run(["-c", repo.path, "--json"], dockerHost: missing)
        #expect(result.status == 1, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let checks = try #require(object["checks"] as? [[String: Any]])
        let api = try #require(checks.first { $0["id"] as? String == "daemon.api" })
        #expect(api["status"] as? String == "fail")
        #expect((api["why"] as? String)?.contains(missing) == true)
        let services = checks.filter { $0["group"] as? String == "services" }
        #expect(services.count == 16)
        #expect(services.allSatisfy { $0["status"] as? String == "pass" })
        // No daemon: the host checks say what they could not look at instead of passing.
        #expect(checks.first { $0["id"] as? String == "host.published-ports" }?["status"] as? String == "warn")
        #expect(checks.first { $0["id"] as? String == "host.docker-user" }?["status"] as? String == "warn")
    }

    @Test func withoutARepositoryTheServiceGroupSaysItWasSkipped() async throws {
        let empty = Fixtures.tempDirectory("berth-doctor-empty")
        defer { Fixtures.cleanup(empty) }
        let result = try await run(["-c", empty.path], dockerHost: "unix:///tmp/berth-doctor-none.sock")
        #expect(result.stdout.contains("no platform.yml in \(empty.path): service checks skipped"), "\(result)")
        #expect(result.stdout.contains("FAIL  daemon.api"))
    }

    @Test func badArgumentsAreRefusedBeforeAnythingIsRead() async throws {
        let missing = try await run(["--daemon-config", "/nonexistent/daemon.json"], dockerHost: "unix:///var/run/docker.sock")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("--daemon-config /nonexistent/daemon.json: no such file"), "\(missing)")
        let noDir = try await run(["-c", "/nonexistent/repo"], dockerHost: "unix:///var/run/docker.sock")
        #expect(noDir.status == 1)
        #expect(noDir.stderr.contains("-c /nonexistent/repo: no such directory"), "\(noDir)")
        let badHost = try await run([], dockerHost: "ftp://example")
        #expect(badHost.status == 1)
        #expect(badHost.stderr.contains("invalid Docker host"), "\(badHost)")
    }

    @Test func anInvalidRepositoryIsReportedWithItsLocation() async throws {
        let repo = Fixtures.repository(["platform.yml": "domain: doctor.localhost\npolicy: {privileged: maybe}\n"])
        defer { Fixtures.cleanup(repo) }
        let result = try await run(["-c", repo.path], dockerHost: "unix:///tmp/berth-doctor-none.sock")
        #expect(result.status == 1)
        #expect(result.stderr.contains("platform.yml:2:"), "\(result)")
        #expect(!result.stdout.contains("daemon.api"))
    }

    /// Not root: iptables refuses to list the rules; the check says so and the run goes on.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv"))
    func withoutRootTheFirewallCheckSaysWhyItCannotLook() async throws {
        let empty = Fixtures.tempDirectory("berth-doctor-nobody")
        defer { Fixtures.cleanup(empty) }
        let result = await E2ECommand.run([
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BerthBinary.url.path, "doctor", "-c", empty.path, "--json",
        ])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
        let checks = try #require(object["checks"] as? [[String: Any]])
        let firewall = try #require(checks.first { $0["id"] as? String == "host.docker-user" })
        #expect(firewall["status"] as? String == "warn")
        #expect((firewall["why"] as? String)?.contains("cannot read the DOCKER-USER chain") == true, "\(firewall)")
    }
}
