import Foundation
import Testing
import TestSupport

// Nested in ApplyE2ETests: its tests take turns with the other e2e tests (one shared proxy, ports, lock).
extension ApplyE2ETests {
    /// `berth serve --reconcile`: a container removed by hand is noticed and the platform re-applied by the
    /// daemon on its own, with the real binary, Docker and Traefik.
    @Suite(.serialized, .tags(.e2e))
    struct ServeReconcileE2ETests {
        static let project = "e2erec-web"
        static let host = "rec.e2e.localhost"

        @Test func aReplicaRemovedByHandIsRedeployedByTheReconciler() async throws {
            try await E2EScenario.run("e2erec-") { s in
                try s.write("platform.yml", E2E.platformYAML(traefik: true))
                try s.project(Self.project, compose: E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "1"]),
                              project: E2E.appProject(host: Self.host))
                let admin = try await s.createToken("ops", scope: "admin")
                let daemon = try await ServeDaemon.start(s, ["--reconcile", "2s"])
                defer { daemon.process.kill9() }
                let firstID = try await daemon.queueDeploy("{}", token: admin)
                #expect(await daemon.waitForTask(firstID, token: admin)["state"] as? String == "succeeded")
                #expect(E2EHTTP.versions(Self.host, count: 3) == ["version=1": 3])

                // Nothing drifted: rounds pass without a task.
                try await Task.sleep(for: .seconds(5))
                let quiet = await daemon.call("GET", "/v1/tasks", token: admin).json as? [[String: Any]] ?? []
                #expect(quiet.filter { $0["created_by"] as? String == "reconciler" }.isEmpty, "\(quiet)")

                let replicas = await E2E.containers("\(Self.project)-")
                try #require(replicas.count == 1, "\(replicas)")
                await E2ECommand.docker(["rm", "-f"] + replicas)

                var reconciled: [String: Any]?
                let deadline = Deadline(seconds: 60)
                while !deadline.passed, reconciled == nil {
                    let tasks = await daemon.call("GET", "/v1/tasks", token: admin).json as? [[String: Any]] ?? []
                    reconciled = tasks.first { $0["created_by"] as? String == "reconciler" }
                    try await Task.sleep(for: .milliseconds(250))
                }
                let id = try #require(reconciled?["id"] as? String, "the reconciler queued no deploy after the container was removed")
                let task = await daemon.waitForTask(id, token: admin)
                #expect(task["state"] as? String == "succeeded", "\(task)")
                // Converged once the task has ended (a round that raced the removal may take one more task).
                var versions: [String: Int] = [:]
                let converged = Deadline(seconds: 30)
                while !converged.passed, versions != ["version=1": 5] {
                    versions = E2EHTTP.versions(Self.host, count: 5)
                    if versions != ["version=1": 5] { try await Task.sleep(for: .milliseconds(500)) }
                }
                let tasks = await daemon.call("GET", "/v1/tasks", token: admin).body
                #expect(versions == ["version=1": 5], "the platform was not converged again; tasks: \(tasks)")
                #expect(await E2E.containers("\(Self.project)-").count == 1)
                _ = await daemon.stop()
            }
        }
    }
}
