import Foundation
import Testing
import TestSupport

/// `berth doctor` end to end: the built binary against a real second dockerd (in its own network namespace,
/// see DoctorDaemon) started with deliberately bad settings, then with hardened ones, each with a repository
/// whose services break every rule or pass them all.
@Suite(.serialized, .tags(.e2e), .timeLimit(.minutes(4)),
       .enabled(if: E2E.enabled, "set BERTH_E2E=0 to skip the Docker end-to-end tests"))
struct DoctorE2ETests {
    struct Check: Decodable {
        var id: String
        var group: String
        var status: String
        var subject: String?
        var location: String?
        var why: String
        var fix: String?
        var allowed_by: String?  // swiftlint:disable:this identifier_name
    }

    struct Report: Decodable {
        var version: Int
        var docker_host: String  // swiftlint:disable:this identifier_name
        var summary: [String: Int]
        var checks: [Check]

        func check(_ id: String, _ subject: String? = nil) -> Check? {
            checks.first { $0.id == id && $0.subject == subject }
        }
    }

    static func repository(_ files: [String: String]) -> URL {
        var all = files
        all["platform.yml"] = DoctorFixtures.platform()
        return Fixtures.repository(all)
    }

    func doctor(_ daemon: DoctorDaemon, repo: URL, json: Bool = true) async throws -> (E2ECommandResult, Report?) {
        let result = try await BerthBinary.start(["doctor", "-c", repo.path] + (json ? ["--json"] : []), environment: ["DOCKER_HOST": daemon.host])
            .wait(timeout: 60)
        guard json else { return (result, nil) }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        return (result, report)
    }

    @Test func aBadlyConfiguredDaemonAndARepositoryThatBreaksEveryRule() async throws {
        let daemon = try await DoctorDaemon(name: "bad", config: #"{"icc": true, "userland-proxy": true, "live-restore": false}"#)
        let repo = Self.repository(DoctorFixtures.badProject())
        do {
            try await daemon.importBusybox("berth-doctor/app:1")
            try await daemon.importBusybox("berth-doctor/nonroot:1", changes: ["USER 1000"])
            // Published on every address of the daemon's namespace (nothing outside it sees the port).
            let run = await daemon.docker(["run", "-d", "--name", "bd-exposed", "-p", "0.0.0.0:18555:80", "berth-doctor/app:1", "sleep", "300"])
            #expect(run.status == 0, "\(run)")

            let (result, decoded) = try await doctor(daemon, repo: repo)
            let report = try #require(decoded)
            #expect(result.status == 1, "\(result)")
            #expect(report.version == 1)
            #expect(report.docker_host == daemon.host)

            let dockerUser = try #require(report.check("host.docker-user"))
            #expect(dockerUser.status == "fail", "\(dockerUser)")
            #expect(dockerUser.why.contains("ext0"))
            #expect(dockerUser.why.contains("namespace"))
            #expect(dockerUser.fix?.contains("iptables -I DOCKER-USER -i ext0 -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP") == true)
            let exposed = try #require(report.check("host.published-ports", "bd-exposed"))
            #expect(exposed.status == "fail")
            #expect(exposed.why.contains("18555/tcp"))

            #expect(report.check("daemon.api")?.status == "pass")
            #expect(report.check("daemon.live-restore")?.status == "warn")
            #expect(report.check("daemon.icc")?.status == "warn")
            let proxy = try #require(report.check("daemon.userland-proxy"))
            #expect(proxy.status == "warn")
            #expect(proxy.why.contains("\(daemon.configFile) \"userland-proxy\""), "\(proxy.why)")
            let logs = try #require(report.check("daemon.log-rotation"))
            #expect(logs.status == "fail")
            #expect(logs.fix?.contains("max-size") == true)
            #expect(report.check("daemon.no-new-privileges")?.status == "warn")

            #expect(report.check("service.privileged", "bad/priv")?.status == "fail")
            #expect(report.check("service.privileged", "bad/priv")?.location == "projects/bad/compose.yml:2:3")
            #expect(report.check("service.host-namespaces", "bad/hostns")?.status == "fail")
            #expect(report.check("service.docker-socket", "bad/sock")?.status == "fail")
            #expect(report.check("service.cap-drop-all", "bad/web")?.status == "warn")
            #expect(report.check("service.image-tag", "bad/priv")?.status == "warn")
            #expect(report.check("service.image-digest", "bad/web")?.status == "warn")
            #expect(report.check("service.healthcheck", "bad/web")?.status == "warn")
            // The image's configuration came from the engine: no USER in app:1, USER 1000 in nonroot:1.
            let root = try #require(report.check("service.root-user", "bad/web"))
            #expect(root.status == "warn")
            #expect(root.why.contains("neither the service nor image"), "\(root.why)")
            #expect(report.check("service.root-user", "bad/imguser")?.status == "pass")
            #expect(report.summary["fail"] == report.checks.filter { $0.status == "fail" }.count)

            // --daemon-config overrides the file dockerd's command line names.
            let hardened = daemon.dir.appendingPathComponent("hardened.json").path
            try #"{"userland-proxy": false, "no-new-privileges": true, "log-opts": {"max-size": "10m"}}"#.write(toFile: hardened, atomically: true, encoding: .utf8)
            let overridden = try await BerthBinary.start(["doctor", "-c", repo.path, "--json", "--daemon-config", hardened], environment: ["DOCKER_HOST": daemon.host]).wait(timeout: 60)
            let other = try JSONDecoder().decode(Report.self, from: Data(overridden.stdout.utf8))
            #expect(other.check("daemon.userland-proxy")?.status == "pass")
            #expect(other.check("daemon.userland-proxy")?.why.contains(hardened) == true)
            #expect(other.check("daemon.log-rotation")?.status == "pass")

            // The human form: grouped, each problem with its fix, and the same exit code.
            let (human, _) = try await doctor(daemon, repo: repo, json: false)
            #expect(human.status == 1)
            let text = human.stdout
            let host = try #require(text.range(of: "host\n")), daemonGroup = try #require(text.range(of: "daemon\n"))
            let services = try #require(text.range(of: "services\n"))
            #expect(host.lowerBound < daemonGroup.lowerBound && daemonGroup.lowerBound < services.lowerBound)
            #expect(text.contains("FAIL  service.docker-socket"))
            #expect(text.contains("fix: \"live-restore\": true in \(daemon.configFile)"))
        } catch {
            Fixtures.cleanup(repo)
            await daemon.stop()
            throw error
        }
        Fixtures.cleanup(repo)
        await daemon.stop()
    }

    @Test func aHardenedDaemonAndACleanRepositoryPass() async throws {
        let config = """
            {"icc": false, "userland-proxy": false, "live-restore": true, "no-new-privileges": true,
             "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"}}
            """
        let daemon = try await DoctorDaemon(name: "good", config: config)
        let repo = Self.repository(DoctorFixtures.goodProject())
        do {
            try await daemon.importBusybox("berth-doctor/app:1")
            // miuOps' rules: established traffic returns, new connections from the external interface are dropped.
            for rule in [
                ["-I", "DOCKER-USER", "-i", "ext0", "-m", "conntrack", "!", "--ctstate", "RELATED,ESTABLISHED", "-j", "DROP"],
                ["-I", "DOCKER-USER", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"],
            ] {
                let added = await daemon.inNamespace(["iptables", "-w", "5"] + rule)
                #expect(added.status == 0, "\(added)")
            }
            for (name, extra) in [("bd-local", ["-p", "127.0.0.1:18556:80"]), ("bd-proxy", ["-p", "0.0.0.0:18557:80", "--label", "berth.role=proxy"])] {
                let run = await daemon.docker(["run", "-d", "--name", name] + extra + ["berth-doctor/app:1", "sleep", "300"])
                #expect(run.status == 0, "\(run)")
            }

            let (result, decoded) = try await doctor(daemon, repo: repo)
            let report = try #require(decoded)
            #expect(result.status == 0, "\(result)")
            for check in report.checks { #expect(check.status == "pass", "\(check.id) \(check.subject ?? ""): \(check.why)") }
            #expect(report.checks.filter { $0.group == "services" }.count == 16)  // 2 services × 8 checks
            #expect(report.check("host.docker-user")?.why.contains("-i ext0") == true)
            #expect(report.summary == ["pass": report.checks.count, "warn": 0, "fail": 0])
        } catch {
            Fixtures.cleanup(repo)
            await daemon.stop()
            throw error
        }
        Fixtures.cleanup(repo)
        await daemon.stop()
    }
}
