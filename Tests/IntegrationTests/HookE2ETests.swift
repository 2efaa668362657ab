import Foundation
import Testing
import TestSupport

/// The git webhook end to end: a real bare repository as the upstream, pushes from a clone, signed
/// (and badly signed) webhook calls to the real daemon, deploys through Traefik.
// Nested in ApplyE2ETests: takes turns with the other Docker e2e tests (one proxy on 127.0.0.1:18080).
extension ApplyE2ETests {
    @Suite(.serialized, .tags(.e2e), .timeLimit(.minutes(6)))
    struct HookE2ETests {
        static let secret = "hook-test-secret-7f3a"

        /// The signature as a sender computes it, with openssl (not Berth's code).
        func sign(_ body: String, _ secret: String = Self.secret) async throws -> String {
            let result = await E2ECommand.run(["bash", "-c", "printf %s \"$1\" | openssl dgst -sha256 -hmac \"$2\" -r", "_", body, secret])
            guard result.status == 0, let hex = result.stdout.split(separator: " ").first, hex.count == 64 else {
                throw E2EFailure("openssl dgst failed: \(result)")
            }
            return "sha256=" + hex
        }

        func hook(_ daemon: ServeDaemon, _ body: String, signature: String?) async -> ServeDaemon.Reply {
            var headers = ["X-GitHub-Event": "push"]
            if let signature { headers["X-Hub-Signature-256"] = signature }
            return await daemon.call("POST", "/v1/hooks/git", body: body, headers: headers, timeout: 60)
        }

        func writeProject(_ dir: URL, _ name: String, host: String, version: String) throws {
            let project = dir.appendingPathComponent("projects/\(name)")
            try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
            try E2E.appCompose(replicas: 1, environment: ["APP_VERSION": version]).write(to: project.appendingPathComponent("compose.yml"), atomically: true, encoding: .utf8)
            try E2E.appProject(host: host).write(to: project.appendingPathComponent("project.yml"), atomically: true, encoding: .utf8)
        }

        @Test func signedPushesFastForwardAndDeployOnlyWhatChanged() async throws {
            try await E2EScenario.run("e2ehook-") { s in
                // The upstream (bare), a developer's clone that pushes, and the daemon's repository (a clone too).
                let upstream = s.stateDir.deletingLastPathComponent().appendingPathComponent("upstream.git")
                let work = s.stateDir.deletingLastPathComponent().appendingPathComponent("work")
                try await E2EGit.run(s.stateDir, ["init", "-q", "--bare", "-b", "main", upstream.path])
                try await E2EGit.run(s.stateDir, ["clone", "-q", upstream.path, work.path])
                try E2E.platformYAML(traefik: true).write(to: work.appendingPathComponent("platform.yml"), atomically: true, encoding: .utf8)
                try writeProject(work, "e2ehook-web", host: "web.hook.e2e.localhost", version: "1")
                try writeProject(work, "e2ehook-api", host: "api.hook.e2e.localhost", version: "1")
                try await E2EGit.run(work, ["add", "-A"])
                try await E2EGit.run(work, ["commit", "-q", "-m", "two apps"])
                try await E2EGit.run(work, ["push", "-q", "origin", "main"])
                try FileManager.default.removeItem(at: s.repo)
                try await E2EGit.run(s.stateDir, ["clone", "-q", upstream.path, s.repo.path])
                let admin = try await s.createToken("ops", scope: "admin")
                let first = try await s.apply()
                #expect(first.status == 0, "\(first)")

                let daemon = try await ServeDaemon.start(s, environment: ["BERTH_WEBHOOK_SECRET": Self.secret])
                defer { daemon.process.kill9() }
                #expect(E2EHTTP.versions("web.hook.e2e.localhost", count: 3) == ["version=1": 3])

                // Version 2 of web only, pushed upstream.
                try writeProject(work, "e2ehook-web", host: "web.hook.e2e.localhost", version: "2")
                try await E2EGit.run(work, ["commit", "-q", "-am", "web v2"])
                try await E2EGit.run(work, ["push", "-q", "origin", "main"])
                let pushed = try await E2EGit.head(work)
                let head = try await E2EGit.head(s.repo)
                let payload = "{\"ref\": \"refs/heads/main\", \"after\": \"\(pushed)\"}"
                let good = try await sign(payload), other = try await sign(payload, "other")

                // No signature, a wrong one, one with another secret: 401 and the repository stays.
                let none = await hook(daemon, payload, signature: nil)
                #expect(none.status == 401 && none.errorCode == "missing_signature", "\(none)")
                #expect(await hook(daemon, payload, signature: "sha256=" + String(repeating: "0", count: 64)).errorCode == "bad_signature")
                #expect(await hook(daemon, payload, signature: other).status == 401)
                #expect(await hook(daemon, payload + " ", signature: good).status == 401)  // signed a different body
                #expect(await daemon.call("POST", "/v1/hooks/git?secret=\(Self.secret)", body: payload).status == 401)
                #expect(try await E2EGit.head(s.repo) == head)
                #expect((await daemon.call("GET", "/v1/tasks", token: admin).json as? [Any])?.isEmpty == true)

                let apiBefore = await ServeDaemon.containers(of: "e2ehook-api")
                let accepted = await hook(daemon, payload, signature: good)
                try #require(accepted.status == 202, "\(accepted)")
                #expect(accepted.object["changed"] as? [String] == ["e2ehook-web"], "\(accepted)")
                #expect(try await E2EGit.head(s.repo) == pushed)
                let tasks = try #require(accepted.object["tasks"] as? [[String: Any]])
                #expect(tasks.count == 1 && tasks.first?["projects"] as? [String] == ["e2ehook-web"] && tasks.first?["created_by"] as? String == "webhook")
                let done = await daemon.waitForTask(try #require(tasks.first?["id"] as? String), token: admin)
                #expect(done["state"] as? String == "succeeded", "\(done)")
                #expect(E2EHTTP.versions("web.hook.e2e.localhost", count: 5) == ["version=2": 5])
                #expect(await ServeDaemon.containers(of: "e2ehook-api") == apiBefore, "api did not change and was not touched")
                let again = await hook(daemon, payload, signature: good)
                #expect(again.status == 200 && (again.object["tasks"] as? [Any])?.isEmpty == true, "up to date: \(again)")

                // Diverged histories: a local commit in the daemon's repository and another one upstream.
                try await E2EGit.run(s.repo, ["commit", "-q", "--allow-empty", "-m", "local only"])
                try writeProject(work, "e2ehook-web", host: "web.hook.e2e.localhost", version: "3")
                try await E2EGit.run(work, ["commit", "-q", "-am", "web v3"])
                try await E2EGit.run(work, ["push", "-q", "origin", "main"])
                let local = try await E2EGit.head(s.repo)
                let diverged = await hook(daemon, payload, signature: good)
                #expect(diverged.status == 409 && diverged.body.contains("not a fast-forward"), "\(diverged)")
                #expect(try await E2EGit.head(s.repo) == local)
                #expect(try s.read("projects/e2ehook-web/compose.yml").contains("APP_VERSION: \"2\""))
                #expect(E2EHTTP.versions("web.hook.e2e.localhost", count: 3) == ["version=2": 3])

                let audit = await daemon.call("GET", "/v1/audit", token: admin).body
                #expect(audit.contains("hook.git") && audit.contains("does not match"), "\(audit.prefix(1500))")
                _ = await daemon.stop()
            }
        }
    }
}
