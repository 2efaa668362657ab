import Foundation
import Testing

@testable import BerthDocker

extension DockerEngineTests {
    /// A real pull with `X-Registry-Auth`: the test image is pushed to a local registry, which is then
    /// restarted with basic auth; the pull succeeds with the right password and fails with a wrong one.
    @Test(.enabled(if: LocalRegistry.isInstalled, "needs docker-registry (apt-get install -y docker-registry)"))
    func pullFromARegistryWithCredentials() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(DockerTest.name("registry"))
        let storage = work.appendingPathComponent("storage")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var references: [String] = []
        try await DockerTest.withDocker { docker in
            defer { for reference in references { _ = try? TestImages.run(["docker", "image", "rm", reference]) } }
            let open = try LocalRegistry(storage: storage, requireAuth: false)
            defer { open.stop() }
            let pushed = "\(open.address)/berth-test/busybox:\(DockerTest.runID)"
            references.append(pushed)
            try TestImages.run(["docker", "tag", TestImages.busybox, pushed])
            _ = try await DockerTest.waitFor("pushing to \(open.address)", timeout: .seconds(20)) {
                try TestImages.run(["docker", "push", pushed]).status == 0 ? true : nil
            }
            open.stop()

            let guarded = try LocalRegistry(storage: storage, requireAuth: true)
            defer { guarded.stop() }
            let reference = "\(guarded.address)/berth-test/busybox:\(DockerTest.runID)"
            references.append(reference)
            let auth = RegistryAuth(username: LocalRegistry.username, password: LocalRegistry.password, serverAddress: guarded.address)
            _ = try await DockerTest.waitFor("pulling from \(guarded.address)", timeout: .seconds(20)) { () -> Bool? in
                do {
                    try await docker.images.pull(reference, auth: auth)
                    return true
                } catch let error as DockerError where error.message.contains("connection refused") {
                    return nil  // the registry is still starting
                }
            }
            let pulled = try await docker.images.inspect(reference)
            #expect(pulled?.repoTags.contains(reference) == true)

            try await docker.images.remove(reference)
            #expect(try await docker.images.inspect(reference) == nil)
            var wrong = auth
            wrong.password = "not-the-password"
            let refused = await DockerTest.expectDockerError { try await docker.images.pull(reference, auth: wrong) }
            #expect(refused?.message.contains("unauthorized") == true)
            #expect(refused?.hint == DockerError.credentialsHint)
            let anonymous = await DockerTest.expectDockerError { try await docker.images.pull(reference) }
            #expect(anonymous?.description.hasPrefix("pulling image \(reference): ") == true)
            #expect(anonymous?.message.contains("no basic auth credentials") == true)
            #expect(anonymous?.hint == DockerError.credentialsHint)
        }
    }
}
