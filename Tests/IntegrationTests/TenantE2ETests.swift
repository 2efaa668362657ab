import Foundation
import Testing
import TestSupport

/// Tenant stacks end to end: the real daemon writes `projects/<name>/` from a template into a git
/// repository, deploys it through Traefik, and tears one tenant down without touching the other.
// Nested in ApplyE2ETests: takes turns with the other Docker e2e tests (one proxy on 127.0.0.1:18080).
extension ApplyE2ETests {
    @Suite(.serialized, .tags(.e2e), .timeLimit(.minutes(6)))
    struct TenantE2ETests {
        static let template = """
            services:
              web:
                image: berth-demo/app:1
                environment:
                  APP_VERSION: "${version}"
                  TEAM: "${name}"
                deploy:
                  replicas: 1

            """

        func body(_ name: String, host: String, version: String, template: String = "web", extra: String = "") -> String {
            "{\"template\": \"\(template)\", \"name\": \"\(name)\", \"params\": {\"host\": \"\(host)\", \"version\": \"\(version)\"\(extra)}}"
        }

        @Test func twoTenantsFromOneTemplateAnswerAtTheirHostsAndDeletingOneLeavesTheOther() async throws {
            try await E2EScenario.run("team-") { s in
                try s.write("platform.yml", E2E.platformYAML(traefik: true))
                try s.write("templates/web/compose.yml", Self.template)
                try s.write("templates/web/project.yml", E2E.appProject(host: "${host}"))
                try await E2EGit.initialize(s.repo)
                let admin = try await s.createToken("ops", scope: "admin")
                let teamB = try await s.createToken("ci-b", scope: "deploy", projects: ["team-b"])
                let reader = try await s.createToken("viewer", scope: "read")
                let daemon = try await ServeDaemon.start(s)
                defer { daemon.process.kill9() }

                // Refused input changes nothing: no directory, no commit, no task.
                let before = try await E2EGit.log(s.repo)
                let unknownParam = await daemon.call("POST", "/v1/projects", token: admin, body: body("team-a", host: "a.team.e2e.localhost", version: "a", extra: ", \"hots\": \"x\""))
                #expect(unknownParam.status == 422 && unknownParam.body.contains("unknown parameter 'hots'"), "\(unknownParam)")
                let missing = await daemon.call("POST", "/v1/projects", token: admin, body: "{\"template\": \"web\", \"name\": \"team-a\", \"params\": {\"version\": \"a\"}}")
                #expect(missing.status == 422 && missing.body.contains("templates/web/project.yml:3:13: template parameter 'host' is not given"), "\(missing)")
                let unknownTemplate = await daemon.call("POST", "/v1/projects", token: admin, body: body("team-a", host: "a.team.e2e.localhost", version: "a", template: "wbe"))
                #expect(unknownTemplate.status == 422 && unknownTemplate.errorCode == "unknown_template" && unknownTemplate.body.contains("web"), "\(unknownTemplate)")
                let badName = await daemon.call("POST", "/v1/projects", token: admin, body: body("Team_A", host: "a.team.e2e.localhost", version: "a"))
                #expect(badName.status == 422 && badName.errorCode == "invalid_name", "\(badName)")
                let typo = await daemon.call("POST", "/v1/projects", token: admin, body: "{\"templat\": \"web\", \"name\": \"team-a\"}")
                #expect(typo.status == 400 && typo.body.contains("templat"), "\(typo)")
                let badHost = await daemon.call("POST", "/v1/projects", token: admin, body: body("team-a", host: "not a host", version: "a"))
                #expect(badHost.status == 422 && badHost.errorCode == "invalid_config" && badHost.body.contains("projects/team-a/project.yml:"), "\(badHost)")
                #expect(await daemon.call("POST", "/v1/projects", token: reader, body: body("team-a", host: "a.team.e2e.localhost", version: "a")).status == 403)
                #expect(await daemon.call("POST", "/v1/projects", token: teamB, body: body("team-a", host: "a.team.e2e.localhost", version: "a")).status == 403)
                #expect(!FileManager.default.fileExists(atPath: s.repo.appendingPathComponent("projects/team-a").path))
                #expect(try await E2EGit.log(s.repo) == before)
                #expect((await daemon.call("GET", "/v1/tasks", token: admin).json as? [Any])?.isEmpty == true)

                // team-a by the admin token, team-b by its own deploy token.
                let a = await daemon.call("POST", "/v1/projects", token: admin, body: body("team-a", host: "a.team.e2e.localhost", version: "a"))
                try #require(a.status == 202, "\(a)")
                let taskA = try #require((a.object["task"] as? [String: Any])?["id"] as? String)
                #expect(a.headers["location"] == "/v1/tasks/\(taskA)" && (a.object["commit"] as? String)?.count == 40, "\(a)")
                let b = await daemon.call("POST", "/v1/projects", token: teamB, body: body("team-b", host: "b.team.e2e.localhost", version: "b"))
                try #require(b.status == 202, "\(b)")
                let taskB = try #require((b.object["task"] as? [String: Any])?["id"] as? String)
                let doneA = await daemon.waitForTask(taskA, token: admin), doneB = await daemon.waitForTask(taskB, token: teamB)
                #expect(doneA["state"] as? String == "succeeded", "\(doneA)")
                #expect(doneB["state"] as? String == "succeeded", "\(doneB)")
                let clash = await daemon.call("POST", "/v1/projects", token: admin, body: body("team-c", host: "a.team.e2e.localhost", version: "c"))
                #expect(clash.status == 422 && clash.body.contains("a.team.e2e.localhost"), "a route that collides with team-a's: \(clash)")
                #expect(await daemon.call("POST", "/v1/projects", token: admin, body: body("team-a", host: "x.team.e2e.localhost", version: "x")).status == 409)

                #expect(try s.read("projects/team-a/compose.yml").contains("APP_VERSION: \"a\""))
                #expect(try s.read("projects/team-b/project.yml").contains("hosts: [b.team.e2e.localhost]"))
                let log = try await E2EGit.log(s.repo)
                #expect(log.prefix(2) == ["ci-b|berth: create project team-b from template web", "ops|berth: create project team-a from template web"], "\(log)")
                #expect(try await E2EGit.run(s.repo, ["status", "--porcelain"]).isEmpty, "the working tree is clean after the commits")
                #expect(await E2EHTTP.waitFor("a.team.e2e.localhost", "/cgi-bin/version") != nil)
                #expect(await E2EHTTP.waitFor("b.team.e2e.localhost", "/cgi-bin/version") != nil)
                #expect(E2EHTTP.versions("a.team.e2e.localhost", count: 5) == ["version=a": 5])
                #expect(E2EHTTP.versions("b.team.e2e.localhost", count: 5) == ["version=b": 5])

                // Deleting team-a: its containers, networks and route go; team-b is untouched.
                let teamBContainers = await ServeDaemon.containers(of: "team-b")
                #expect(teamBContainers.count == 1, "\(teamBContainers)")
                #expect(await daemon.call("DELETE", "/v1/projects/team-a", token: teamB).status == 403)
                #expect(await daemon.call("DELETE", "/v1/projects/team-zz", token: admin).status == 404)
                let removed = await daemon.call("DELETE", "/v1/projects/team-a", token: admin)
                try #require(removed.status == 202, "\(removed)")
                let teardown = try #require(removed.object["task"] as? [String: Any])
                #expect(teardown["kind"] as? String == "teardown")
                let done = await daemon.waitForTask(try #require(teardown["id"] as? String), token: admin)
                #expect(done["state"] as? String == "succeeded", "\(done)")
                #expect(await ServeDaemon.containers(of: "team-a").isEmpty)
                #expect(await E2E.networks("team-a").isEmpty)
                // team-a's host no longer reaches anything. (Known engine issue, as with `berth down`: the
                // project's Traefik file stays with no servers, so Traefik answers 503 rather than 404.)
                let after = E2EHTTP.status("a.team.e2e.localhost", "/cgi-bin/version")
                #expect(after == 503 || after == 404, "team-a's host still answers \(after)")
                #expect(!FileManager.default.fileExists(atPath: s.repo.appendingPathComponent("projects/team-a").path))
                #expect(try await E2EGit.log(s.repo).first == "ops|berth: remove project team-a")
                #expect(await ServeDaemon.containers(of: "team-b") == teamBContainers)
                #expect(E2EHTTP.versions("b.team.e2e.localhost", count: 5) == ["version=b": 5])

                let audit = await daemon.call("GET", "/v1/audit", token: admin).body
                #expect(audit.contains("project.create") && audit.contains("project.delete"), "\(audit.prefix(2000))")
                _ = await daemon.stop()
            }
        }
    }
}
