import Foundation
import Testing
import TestSupport

extension ApplyE2ETests {
    // MARK: recreate for services whose named volume cannot be shared; confirmation without a terminal

    /// A service mounting a named volume is rolled out with `recreate` (the plan says so): the old
    /// replica stops before the new one starts, the data in the volume is still there afterwards,
    /// and the new version serves.
    @Test func statefulServiceIsRecreatedAndKeepsItsData() async throws {
        try await E2EScenario.run("e2estate-") { s in
            let p = "e2estate-db"
            let volume = """
                    volumes:
                      - data:/data
                volumes:
                  data: {}

                """
            try s.write("platform.yml", E2E.platformYAML())
            try s.project(p, compose: E2E.appCompose(replicas: 1, extra: volume), project: E2E.appProject(host: "state.e2e.localhost"))
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            let before = await E2E.containers("\(p)-")
            try #require(before.count == 1, "\(before)")
            #expect(await E2E.exec(before[0], "echo survived > /data/marker").status == 0)

            try s.project(p, compose: E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "2"], extra: volume),
                          project: E2E.appProject(host: "state.e2e.localhost"))
            let rollout = try await s.apply()
            #expect(rollout.status == 0, "\(rollout)")
            #expect(rollout.stdout.contains("recreate (mounts volume '\(p)_data'"), "the plan states the strategy and why:\n\(rollout.stdout)")
            let after = await E2E.containers("\(p)-")
            #expect(after.count == 1 && after != before, "\(before) → \(after)")
            if let c = after.first {
                #expect(await E2E.exec(c, "cat /data/marker").stdout.contains("survived"))
            }
            #expect(await E2EHTTP.waitFor("state.e2e.localhost", "/cgi-bin/version")?.body.contains("version=2") == true)
        }
    }

    /// Without a terminal, apply changes nothing unless --yes confirms it.
    @Test func applyWithoutYesOffATerminalIsRefusedAndChangesNothing() async throws {
        try await E2EScenario.run("e2eyes-") { s in
            let p = "e2eyes-app"
            try s.write("platform.yml", E2E.platformYAML())
            try s.project(p, compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "yes.e2e.localhost"))
            let refused = try await s.berth("apply")
            #expect(refused.status == 1, "\(refused)")
            #expect(refused.stderr.contains("--yes"), "\(refused)")
            #expect(refused.stdout.contains("+ service web: start 1 replica"), "the plan is shown first:\n\(refused.stdout)")
            #expect(await E2E.containers("\(p)-") == [])
            #expect(await E2E.networks("\(p)_") == [])
        }
    }
}
