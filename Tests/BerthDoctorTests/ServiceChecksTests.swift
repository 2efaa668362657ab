import BerthConfig
import Testing
import TestSupport

@testable import BerthDoctor

@Suite struct ServiceChecksTests {
    /// Loads the fixture repository and runs every service check (image facts as given per service).
    func findings(policy: String = "", files: [String: String], images: [String: ImageFacts] = [:]) throws -> [String: [CheckID: Finding]] {
        var all = files
        all["platform.yml"] = DoctorFixtures.platform(policy: policy)
        let dir = Fixtures.repository(all)
        defer { Fixtures.cleanup(dir) }
        let repository = try Fixtures.load(dir)
        let checks = ServiceChecks(policy: repository.platform.policy)
        var result: [String: [CheckID: Finding]] = [:]
        for project in repository.projects {
            for (name, service) in project.compose.services {
                let facts = ServiceFacts(
                    project: project.name, name: name, service: service, routes: project.config.ingress.filter { $0.service == name },
                    image: images[service.image], location: project.compose.serviceLocations[name])
                result["\(project.name)/\(name)"] = Dictionary(uniqueKeysWithValues: checks.all(facts).map { ($0.check, $0) })
            }
        }
        return result
    }

    @Test func aRepositoryThatBreaksEveryRule() throws {
        let r = try findings(files: DoctorFixtures.badProject())
        #expect(r["bad/priv"]?[.privileged]?.status == .fail)
        #expect(r["bad/priv"]?[.privileged]?.fix.contains("policy.privileged: false") == true)
        #expect(r["bad/hostns"]?[.hostNamespaces]?.status == .fail)
        #expect(r["bad/hostns"]?[.hostNamespaces]?.why.contains("network_mode: host, pid: host") == true)
        #expect(r["bad/sock"]?[.dockerSocket]?.status == .fail)
        #expect(r["bad/sock"]?[.dockerSocket]?.why.contains("/var/run/docker.sock:/var/run/docker.sock:ro") == true)
        #expect(r["bad/sock"]?[.dockerSocket]?.why.contains("read-only does not help") == true)
        #expect(r["bad/priv"]?[.imageTag]?.status == .warn)
        #expect(r["bad/priv"]?[.imageTag]?.why.contains("no tag") == true)
        #expect(r["bad/hostns"]?[.imageTag]?.why.contains("latest") == true)
        #expect(r["bad/web"]?[.imageTag]?.status == .pass)
        #expect(r["bad/web"]?[.imageDigest]?.status == .warn)
        #expect(r["bad/web"]?[.healthcheck]?.status == .warn)
        #expect(r["bad/sock"]?[.healthcheck]?.status == .pass)  // not routed
        for (subject, checks) in r {
            #expect(checks[.capDropAll]?.status == .warn, "\(subject)")
            #expect(checks[.rootUser]?.status == .warn, "\(subject)")
        }
        #expect(r["bad/web"]?[.rootUser]?.why.contains("not on the engine") == true)
        #expect(r["bad/priv"]?[.privileged]?.location == "projects/bad/compose.yml:2:3")
    }

    @Test func aCleanRepositoryPassesEveryRule() throws {
        let r = try findings(files: DoctorFixtures.goodProject())
        #expect(r.count == 2)
        for (subject, checks) in r {
            #expect(checks.count == 8)
            for f in checks.values { #expect(f.status == .pass, "\(subject) \(f.check): \(f.why)") }
        }
        #expect(r["good/probed"]?[.healthcheck]?.why.contains("/healthz") == true)
    }

    @Test func aGateSetToTrueTurnsTheFailIntoAWarningThatNamesIt() throws {
        let policy = "policy: {privileged: true, host_namespaces: true, host_network: true, docker_socket: true}"
        let r = try findings(policy: policy, files: DoctorFixtures.badProject())
        for (subject, id, key) in [("bad/priv", CheckID.privileged, "policy.privileged"), ("bad/sock", .dockerSocket, "policy.docker_socket"),
                                   ("bad/hostns", .hostNamespaces, "policy.host_network and policy.host_namespaces")] {
            let f = try #require(r[subject]?[id])
            #expect(f.status == .warn, "\(subject)")
            #expect(f.allowedBy == key)
            #expect(f.why.contains("allowed by \(key)"))
        }
    }

    @Test func oneGateOfTwoIsNotEnough() throws {
        let r = try findings(policy: "policy: {host_network: true}", files: DoctorFixtures.badProject())
        #expect(r["bad/hostns"]?[.hostNamespaces]?.status == .fail)
    }

    @Test func theImagesUserAndHealthcheckCount() throws {
        let images = [
            "berth-doctor/app:1": ImageFacts(user: "", healthcheck: ["CMD-SHELL", "wget -q -O- localhost"]),
            "berth-doctor/nonroot:1": ImageFacts(user: "1000"),
        ]
        let r = try findings(files: DoctorFixtures.badProject(), images: images)
        #expect(r["bad/web"]?[.healthcheck]?.status == .pass)
        #expect(r["bad/web"]?[.rootUser]?.status == .warn)
        #expect(r["bad/web"]?[.rootUser]?.why.contains("neither the service nor image") == true)
        #expect(r["bad/imguser"]?[.rootUser]?.status == .pass)
        #expect(r["bad/imguser"]?[.rootUser]?.why.contains("1000") == true)
    }

    @Test func userNamesAndReferences() {
        for root in ["root", "0", "0:0", "root:staff", ""] { #expect(ServiceChecks.isRoot(root), "\(root)") }
        for user in ["1000", "1000:1000", "app", "nobody:nogroup"] { #expect(!ServiceChecks.isRoot(user), "\(user)") }
        #expect(ServiceChecks.reference("registry:5000/team/app").tag == nil)
        #expect(ServiceChecks.reference("registry:5000/team/app:2.1").tag == "2.1")
        #expect(ServiceChecks.reference("app:2@sha256:abc").digest == "sha256:abc")
        for path in ["/var/run/docker.sock", "/run/docker.sock", "/run/", "/", "/home/u/.docker/run/docker.sock", "/var/run"] {
            #expect(ServiceChecks.exposesDockerSocket(path), "\(path)")
        }
        for path in ["/srv/data", "/var/lib/app", "/run/secrets/x"] { #expect(!ServiceChecks.exposesDockerSocket(path), "\(path)") }
    }

    @Test func unconfinedSecurityOptionsArePrivileged() throws {
        let files = [
            "projects/x/compose.yml": "services:\n  a:\n    image: app:1\n    security_opt: [\"seccomp:unconfined\"]\n",
        ]
        let r = try findings(files: files)
        #expect(r["x/a"]?[.privileged]?.status == .fail)
        #expect(r["x/a"]?[.privileged]?.why.contains("seccomp:unconfined") == true)
    }
}
