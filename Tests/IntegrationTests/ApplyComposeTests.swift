import Foundation
import Testing
import TestSupport

/// Compose files as people run them, end to end.
extension ApplyE2ETests {
    /// `ports` are published exactly as Compose publishes them; a fixed host port rolls out with
    /// `recreate` (the plan says why) and answers on the host port again afterwards.
    @Test func publishedPortsAreServedAndRecreatedOnChange() async throws {
        try await E2EScenario.run("e2eports-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            let project = "e2eports-app"
            func compose(_ version: String) -> String {
                """
                services:
                  web:
                    image: berth-demo/app:1
                    environment: {APP_VERSION: "\(version)"}
                    ports:
                      - "127.0.0.1:18600:8080"
                      - target: 8080
                        host_ip: 127.0.0.1
                        protocol: tcp
                      - "127.0.0.1:18653:53/udp"
                """
            }
            try s.write("projects/\(project)/compose.yml", compose("1"))
            try s.write("projects/\(project)/project.yml", "rollout: {ready_timeout: 30s}\n")
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            let direct = try #require(await Self.waitForDirect(port: 18600), "127.0.0.1:18600 does not answer")
            #expect(direct.body.contains("version=1"), "\(direct.body)")
            let container = try #require(await E2E.runningContainers("\(project)-web-").first)
            let bindings = await E2ECommand.docker(["inspect", "-f", "{{json .HostConfig.PortBindings}}", container])
            #expect(bindings.stdout.contains("\"53/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"18653\"}]"), "\(bindings.stdout)")
            #expect(bindings.stdout.contains("{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}"), "the ephemeral port: \(bindings.stdout)")
            // Ports need a network that is not internal: <p>_published, without masquerading (no internet through it).
            let published = await E2ECommand.docker(["network", "inspect", "-f", "{{.Internal}} {{json .Options}}", "\(project)_published"])
            #expect(published.stdout.contains("false {\"com.docker.network.bridge.enable_ip_masquerade\":\"false\"}"), "\(published)")

            try s.write("projects/\(project)/compose.yml", compose("2"))
            let plan = try await s.berth("plan", ["--live"])
            #expect(plan.stdout.contains("recreate (publishes host port 127.0.0.1:18600:8080/tcp"), "\(plan.stdout)")
            let second = try await s.apply()
            #expect(second.status == 0, "\(second)")
            let after = try #require(await Self.waitForDirect(port: 18600), "127.0.0.1:18600 does not answer after the recreate")
            #expect(after.body.contains("version=2"), "\(after.body)")
            #expect(await E2E.runningContainers("\(project)-web-").count == 1)
        }
    }

    /// `container_name`: the one replica has that name through every rollout; the plan says recreate and why;
    /// a new version that fails gives the name back to the old container, which serves again.
    @Test func containerNameIsKeptAcrossRolloutsAndAFailedOne() async throws {
        try await E2EScenario.run("e2ecname-") { s in
            let project = "e2ecname-app", host = "cname.e2e.localhost", name = "e2ecname-fixed"
            try s.write("platform.yml", E2E.platformYAML())
            func compose(_ version: String, fail: Bool = false) -> String {
                E2E.appCompose(replicas: 1, environment: ["APP_VERSION": version].merging(fail ? ["APP_FAIL_HEALTH": "1"] : [:]) { a, _ in a },
                               extra: "    container_name: \(name)\n")
            }
            try s.project(project, compose: compose("1"), project: E2E.appProject(host: host, readyTimeout: "5s"))
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            #expect(await E2E.runningContainers(name) == [name])
            #expect(await E2EHTTP.waitFor(host, "/cgi-bin/version")?.body.contains("version=1") == true)

            try s.write("projects/\(project)/compose.yml", compose("2"))
            let plan = try await s.berth("plan", ["--live"])
            #expect(plan.stdout.contains("recreate (has container_name '\(name)'"), "\(plan.stdout)")
            let second = try await s.apply()
            #expect(second.status == 0, "\(second)")
            #expect(await E2E.containers(name) == [name], "one container, with the name")
            #expect(await E2EHTTP.waitFor(host, "/cgi-bin/version")?.body.contains("version=2") == true)

            try s.write("projects/\(project)/compose.yml", compose("3", fail: true))
            let failed = try await s.apply()
            #expect(failed.status != 0, "\(failed)")
            #expect(await E2E.containers(name) == [name], "the old container has its name back")
            let body = await E2EHTTP.waitFor(host, "/cgi-bin/version")?.body ?? ""
            #expect(body.contains("version=2"), "the old version serves again: \(body)")
        }
    }

    /// A platform whose projects have no ingress runs no proxy: removing a service, or a whole project,
    /// must not need one.
    @Test func servicesAndProjectsWithoutRoutesAreRemovedWithoutAProxy() async throws {
        try await E2EScenario.run("e2enoproxy-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            let p = "e2enoproxy-app"
            try s.write("projects/\(p)/compose.yml", "services:\n  a: {image: berth-demo/app:1}\n  b: {image: berth-demo/app:1}\n")
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            #expect(!(await E2E.exists(container: E2E.proxyContainer)), "no route, no proxy")
            try s.write("projects/\(p)/compose.yml", "services:\n  a: {image: berth-demo/app:1}\n")
            let second = try await s.apply()
            #expect(second.status == 0, "\(second)")
            #expect(await E2E.containers("\(p)-b-").isEmpty)
            try s.removeProject(p)
            let third = try await s.apply()
            #expect(third.status == 0, "\(third)")
            #expect(await E2E.containers("\(p)-").isEmpty)
        }
    }

    static func waitForDirect(port: Int, timeout: Double = 15) async -> E2EHTTPResponse? {
        let deadline = Deadline(seconds: timeout)
        while !deadline.passed {
            if let r = try? E2EHTTPConnection(port: port).get(host: "localhost", path: "/cgi-bin/version"), r.status == 200 { return r }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }
}
