@testable import BerthServer
import Crypto
import Foundation
import Testing

@Suite("Git webhook signatures and the projects a pull touched")
struct WebhookUnitTests {
    func sign(_ body: String, _ secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    @Test func onlyTheBodysHMACWithTheSecretVerifies() {
        let body = "{\"ref\": \"refs/heads/main\"}"
        let good = sign(body, "s3cret")
        #expect(HookRoutes.verify(signature: good, body: Data(body.utf8), secret: "s3cret"))
        #expect(!HookRoutes.verify(signature: good, body: Data((body + " ").utf8), secret: "s3cret"))
        #expect(!HookRoutes.verify(signature: good, body: Data(body.utf8), secret: "other"))
        #expect(!HookRoutes.verify(signature: String(good.dropLast(2)), body: Data(body.utf8), secret: "s3cret"))
        #expect(!HookRoutes.verify(signature: "zz" + good.dropFirst(2), body: Data(body.utf8), secret: "s3cret"))
        #expect(!HookRoutes.verify(signature: "", body: Data(body.utf8), secret: "s3cret"))
    }

    @Test func changedProjectsAreThoseUnderProjectsElseEverything() {
        #expect(ConfigRepository.changedProjects(["projects/a/compose.yml", "projects/b/project.yml", "projects/a/x/y"]) == ["a", "b"])
        #expect(ConfigRepository.changedProjects(["projects/a/compose.yml", "platform.yml"]) == nil)
        #expect(ConfigRepository.changedProjects(["templates/web/compose.yml"]) == nil)
        #expect(ConfigRepository.changedProjects([]) == [])
    }

    @Test func aDeployNeverReplacesATeardownNorTheReverse() {
        let teardown = DeployTask(kind: .teardown, projects: ["a"], createdBy: "x")
        let deploy = DeployTask(projects: ["a"], createdBy: "x")
        #expect(!deploy.supersedes(teardown) && !teardown.supersedes(deploy))
        #expect(DeployTask(kind: .teardown, projects: ["a", "b"], createdBy: "x").supersedes(teardown))
    }
}
