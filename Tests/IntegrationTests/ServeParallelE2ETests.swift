import Foundation
import Testing
import TestSupport

// Nested in ApplyE2ETests: its tests take turns with the other e2e tests (one shared proxy, ports, lock).
extension ApplyE2ETests {
    /// Deploys of different projects run at the same time in one daemon (they share the deploy lock and one
    /// route table), with the real binary, Docker and Traefik: neither waits for the other, and neither's
    /// switch withdraws the other's routes.
    @Suite(.serialized, .tags(.e2e))
    struct ServeParallelE2ETests {
        static let projects = ["e2epar-a", "e2epar-b"]
        static func host(_ project: String) -> String { "\(project.dropFirst(7)).par.e2e.localhost" }

        func write(_ s: E2EScenario, version: String, startDelay: Int) throws {
            for project in Self.projects {
                try s.project(project, compose: E2E.appCompose(replicas: 1, environment: ["APP_VERSION": version, "APP_START_DELAY": "\(startDelay)"]),
                              project: E2E.appProject(host: Self.host(project)))
            }
        }

        @Test func twoProjectsRollOutAtOnceWithoutDroppingEachOthersRoutes() async throws {
            try await E2EScenario.run("e2epar-") { s in
                try s.write("platform.yml", E2E.platformYAML(traefik: true))
                try write(s, version: "1", startDelay: 0)
                let admin = try await s.createToken("ops", scope: "admin")
                let daemon = try await ServeDaemon.start(s, ["--parallel", "2"])
                defer { daemon.process.kill9() }
                let first = await daemon.waitForTask(try await daemon.queueDeploy("{}", token: admin), token: admin)
                try #require(first["state"] as? String == "succeeded", "\(first)")
                for project in Self.projects { #expect(E2EHTTP.versions(Self.host(project), count: 3) == ["version=1": 3]) }

                // Each new replica takes 4 s to answer: two deploys that waited for each other would not overlap.
                try write(s, version: "2", startDelay: 4)
                let loads = Self.projects.map { E2ELoad.start(host: Self.host($0), concurrency: 2, duration: 60) }
                var ids: [String] = []
                for project in Self.projects {
                    ids.append(try await daemon.queueDeploy("{\"projects\": [\"\(project)\"]}", token: admin))
                }
                var tasks: [[String: Any]] = []
                for id in ids { tasks.append(await daemon.waitForTask(id, token: admin)) }
                // The loads run on a little after the switches (the old replicas drain), then stop.
                try await Task.sleep(for: .seconds(2))
                var stats: [E2ELoad.Stats] = []
                for load in loads { stats.append(await load.finish()) }
                for (task, project) in zip(tasks, Self.projects) {
                    #expect(task["state"] as? String == "succeeded", "\(project): \(task)")
                }

                // Overlap, from the store's event ids (one sequence for all tasks): each task waited for its
                // replica to be ready before the other one ended.
                var waited: [Int64] = [], ended: [Int64] = []
                for id in ids {
                    let events = await daemon.events("/v1/tasks/\(id)/events", token: admin).events
                    waited.append(try #require(events.first { $0.data["phase"] as? String == "waiting_ready" }?.id, "\(id): no waiting_ready event"))
                    ended.append(try #require(events.last(where: { $0.data["state"] as? String == "succeeded" })?.id, "\(id): no final event"))
                }
                #expect(waited[1] < ended[0] && waited[0] < ended[1],
                        "the deploys ran one after the other: waiting_ready \(waited), ended \(ended)")

                for (project, stat) in zip(Self.projects, stats) {
                    #expect(stat.requests > 20 && stat.non2xx == 0 && stat.connectionErrors == 0 && stat.unexpectedBodies == 0,
                            "\(project) dropped requests while both rolled out: \(stat)")
                    #expect(E2EHTTP.versions(Self.host(project), count: 5) == ["version=2": 5], "\(project)")
                    #expect(await E2E.containers("\(project)-").count == 1, "\(project): the old replica was removed")
                }
                _ = await daemon.stop()
            }
        }
    }
}
