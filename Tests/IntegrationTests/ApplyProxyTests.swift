import BerthEngine
import BerthProxy
import BerthRuntime
import Foundation
import Testing
import TestSupport

extension ApplyE2ETests {
    // MARK: the proxy stack

    /// The state directory is wiped while the platform runs (a mistaken `rm -rf`, a new disk): the
    /// running proxy still serves but its admin socket is gone with the directory, so Berth could not
    /// route anything. The next apply says so in its plan, recreates the proxy with the current routes
    /// and rolls out as usual.
    @Test func aProxyWhoseStateDirectoryWasRemovedIsRecreated() async throws {
        try await E2EScenario.run("e2estate-") { s in
            let host = "state.e2e.localhost"
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2estate-a", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: host))
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            #expect(await E2EHTTP.waitFor(host, "/cgi-bin/version") != nil)
            let before = await E2ECommand.docker(["inspect", "-f", "{{.Id}}", E2E.proxyContainer]).stdout

            try FileManager.default.removeItem(at: s.stateDir)
            #expect(E2EHTTP.versions(host, count: 3)["version=1"] == 3, "the proxy keeps serving without its state directory")
            try s.project("e2estate-a", compose: E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "2"]),
                          project: E2E.appProject(host: host))
            let started = Stopwatch()
            let second = try await s.apply()
            let took = started.seconds
            print("[e2e] apply after the state directory was removed (\(String(format: "%.1f", took)) s):\n\(second.stdout)")
            // A missing admin socket is known at once, not after the HTTP client's deadline for each call (3 × 15 s).
            #expect(took < 20, "apply took \(took) s")
            #expect(second.status == 0, "\(second)")
            #expect(second.stdout.contains("recreate the proxy"), "\(second.stdout)")
            #expect(second.stdout.contains("admin socket"), "\(second.stdout)")
            let after = await E2ECommand.docker(["inspect", "-f", "{{.Id}}", E2E.proxyContainer]).stdout
            #expect(!after.isEmpty && after != before, "the proxy container must be recreated")
            #expect(E2EHTTP.versions(host, count: 5)["version=2"] == 5)

            // Nothing stale is left: the next apply has nothing to do.
            let third = try await s.apply()
            #expect(third.status == 0, "\(third)")
            #expect(!third.stdout.contains("recreate the proxy"), "\(third.stdout)")
        }
    }

    /// Caddy replaces its admin server on every load and closes the connection the load came in on:
    /// the read-back that confirms a switch must not go out on that connection (it did, and about one
    /// switch in 60 failed with "connection reset by peer"). Many loads, each confirmed, none may fail.
    @Test func everyLoadThroughTheAdminSocketIsConfirmed() async throws {
        try await E2EScenario.run("e2eadmin-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2eadmin-a", compose: E2E.appCompose(replicas: 2), project: E2E.appProject(host: "admin.e2e.localhost"))
            let apply = try await s.apply()
            try #require(apply.status == 0, "\(apply)")
            let admin = CaddyAdmin(endpoint: .unixSocket(s.stateDir.appendingPathComponent("\(E2E.platformName)/proxy/admin.sock").path))
            let current = try await admin.config()
            // Two configurations that differ only in the order of the upstreams: each load is a real reload.
            let flipped = try JSONSerialization.data(withJSONObject: Self.reversingUpstreams(JSONSerialization.jsonObject(with: current)))
            // Under load (as in a rollout), which widens the window in which the closed connection looks reusable.
            let load = E2ELoad.start(host: "admin.e2e.localhost", path: "/index.html", concurrency: 4, duration: 60)
            var failures: [String] = []
            for i in 0..<200 {
                do { try await admin.load(i % 2 == 0 ? flipped : current) } catch { failures.append("load \(i): \(error)") }
            }
            _ = await load.finish()
            #expect(failures.isEmpty, "\(failures.count) of 200 loads failed: \(failures.prefix(3))")
            #expect(E2EHTTP.status("admin.e2e.localhost", "/cgi-bin/version") == 200)
        }
    }

    static func reversingUpstreams(_ value: Any) -> Any {
        if var dict = value as? [String: Any] {
            for (k, v) in dict { dict[k] = k == "upstreams" ? ((v as? [Any])?.reversed() as [Any]? ?? v) : reversingUpstreams(v) }
            return dict
        }
        if let array = value as? [Any] { return array.map(reversingUpstreams) }
        return value
    }
}
