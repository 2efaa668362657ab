import BerthConfig
@testable import BerthEngine
@testable import BerthRuntime
import BerthDocker
import BerthPlan
import Foundation
import Testing

/// Secret and config files: how a rollback finds their contents, and how they are mounted.
@Suite struct SecretFilesTests {
    static func mount(_ source: String, digest: String?, content: String?) -> ComposeFileMount {
        var m = ComposeFileMount(kind: .secret, source: source, target: "/run/secrets/\(source)")
        m.digest = digest
        m.content = content.map { Data($0.utf8) }
        return m
    }

    @Test func aRollbackTakesContentsWhoseDigestIsUnchanged() {
        let history = [Self.mount("same", digest: "d1", content: nil), Self.mount("changed", digest: "old", content: nil)]
        let repository = [Self.mount("same", digest: "d1", content: "v1"), Self.mount("changed", digest: "new", content: "v2")]
        let restored = ServiceDeployer.restoringContents(history, from: repository)
        #expect(restored?[0].content == Data("v1".utf8))
        #expect(restored?[1].content == nil, "another value is never mounted in place of the one that deployment had")
    }

    @Test func filesAreMountedReadOnly() {
        var request = ContainerRequest(name: "x", image: "busybox:1", service: ComposeService(image: "busybox:1"), labels: [:], networks: [])
        request.files = [(host: "/state/files/app/web/abc/secret-0-token", container: "/run/secrets/token")]
        let mounts = ContainerFactory.config(request).hostConfig?.mounts ?? []
        #expect(mounts.contains { $0.target == "/run/secrets/token" && $0.readOnly == true && $0.source == "/state/files/app/web/abc/secret-0-token" })
    }
}
