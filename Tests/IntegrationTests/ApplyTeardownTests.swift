import Foundation
import Testing
import TestSupport

extension ApplyE2ETests {
    // MARK: 5. a project removed from the repository

    @Test func removedProjectIsTornDownButItsVolumeSurvivesUntilPruned() async throws {
        try await E2EScenario.run("e2erm-") { s in
            let keep = "e2erm-keep", gone = "e2erm-gone"
            try s.write("platform.yml", E2E.platformYAML())
            try s.project(keep, compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "keep.e2e.localhost"))
            try s.project(gone, compose: E2E.appCompose(replicas: 1, extra: """
                    volumes:
                      - data:/data
                volumes:
                  data: {}

                """), project: E2E.appProject(host: "gone.e2e.localhost"))
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            #expect(await E2EHTTP.waitFor("gone.e2e.localhost", "/cgi-bin/version") != nil)
            let goneContainers = await E2E.containers("\(gone)-")
            #expect(goneContainers.count == 1, "\(goneContainers)")
            #expect(await E2E.networks("\(gone)_") == ["\(gone)_ingress", "\(gone)_internal"])
            #expect(await E2E.volumes("\(gone)_") == ["\(gone)_data"])
            // Something worth keeping in the volume.
            if let c = goneContainers.first {
                #expect(await E2E.exec(c, "echo kept > /data/marker").status == 0)
            }

            try s.removeProject(gone)
            let teardown = try await s.apply()
            print("[e2e] teardown apply:\n\(teardown.stdout)")
            #expect(teardown.status == 0, "\(teardown)")
            #expect(await E2E.containers("\(gone)-") == [], "containers of the removed project remain")
            #expect(await E2E.networks("\(gone)_") == [], "networks of the removed project remain")
            #expect(await E2E.volumes("\(gone)_") == ["\(gone)_data"], "the volume must survive without --prune-volumes")
            let marker = await E2ECommand.docker(["run", "--rm", "--network", "none", "-v", "\(gone)_data:/data", "berth-demo/static:1", "cat", "/data/marker"])
            #expect(marker.stdout.contains("kept"), "\(marker)")
            // The removed project's route is withdrawn; the other project still serves.
            #expect(E2EHTTP.versions("gone.e2e.localhost", count: 3)["version=1"] == nil, "the removed project still answers")
            #expect(E2EHTTP.status("keep.e2e.localhost", "/cgi-bin/version") == 200)
            #expect(await E2E.containers("\(keep)-").count == 1)

            let prune = try await s.apply(["--prune-volumes"])
            #expect(prune.status == 0, "\(prune)")
            #expect(await E2E.volumes("\(gone)_") == [], "--prune-volumes must remove the removed project's volume")
            #expect(await E2E.containers("\(keep)-").count == 1)
            #expect(E2EHTTP.status("keep.e2e.localhost", "/cgi-bin/version") == 200)
        }
    }

    /// `berth down` of one project, then of another. Guards a past bug: the engine joined the proxy to
    /// the ingress network of every project in the repository, also of projects outside the selection
    /// whose networks do not exist (here: the one torn down first), so the second `down` failed with
    /// "network e2edown-a_ingress not found" (as did `apply --project X` while another project of the
    /// repository was never applied).
    @Test func downOfOneProjectAfterAnother() async throws {
        try await E2EScenario.run("e2edown-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            for p in ["a", "b"] {
                try s.project("e2edown-\(p)", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "\(p).down.e2e.localhost"))
            }
            let apply = try await s.apply()
            try #require(apply.status == 0, "\(apply)")
            let downA = try await s.berth("down", ["e2edown-a"])
            #expect(downA.status == 0, "\(downA)")
            #expect(await E2E.containers("e2edown-a-") == [])
            #expect(await E2E.networks("e2edown-a_") == [])
            let downB = try await s.berth("down", ["e2edown-b"])
            print("[e2e] down of a second project: exit \(downB.status) \(downB.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            #expect(downB.status == 0, "\(downB)")
            #expect(await E2E.containers("e2edown-b-") == [])
            #expect(await E2E.networks("e2edown-b_") == [])
        }
    }
}
