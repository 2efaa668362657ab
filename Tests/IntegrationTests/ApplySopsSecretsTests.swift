import Foundation
import Testing
import TestSupport

/// `secrets.enc.env` end to end, with the real sops, age, Docker and proxy: values reach the containers
/// (environment and /run/secrets files), a new value rolls out exactly the services that use it, a file
/// that cannot be decrypted changes nothing, and no value is ever printed or stored in the clear.
extension ApplyE2ETests {
    /// A scenario whose berth runs get the age key (`env`).
    struct SopsScenario {
        var s: E2EScenario
        var sops: SopsFixture

        func berth(_ command: String, _ arguments: [String] = [], timeout: Double = 180) async throws -> E2ECommandResult {
            // validate and render read only the repository: they take no state directory.
            let state = ["validate", "render"].contains(command) ? [] : ["--state-dir", s.stateDir.path]
            return try await BerthBinary.start([command] + arguments + ["-c", s.repo.path] + state,
                                               environment: sops.environment).wait(timeout: timeout)
        }

        func apply(_ arguments: [String] = []) async throws -> E2ECommandResult { try await berth("apply", ["--yes"] + arguments) }

        /// `berth secrets set PROJECT KEY` with the value on standard input.
        func set(_ project: String, _ key: String, _ value: String) throws {
            let result = try SecretsCLITests.berth(["secrets", "set", project, key, "-c", s.repo.path], input: value, environment: sops.environment)
            try #require(result.status == 0, "\(result.stdout)\(result.stderr)")
        }

        /// The running container of each service of `project`.
        func containers(_ project: String, _ services: [String]) async -> [String: [String]] {
            var result: [String: [String]] = [:]
            for service in services { result[service] = await E2E.runningContainers("\(project)-\(service)-") }
            return result
        }
    }

    static func withSops(_ prefix: String, _ body: (SopsScenario) async throws -> Void) async throws {
        let sops = try SopsFixture()
        defer { sops.cleanup() }
        try await E2EScenario.run(prefix) { s in
            try sops.writeSopsConfig(in: s.repo)
            // The scenario's own clean-up removes what the test created by name (its berth down has no key).
            try await body(SopsScenario(s: s, sops: sops))
        }
    }

    @Test func aNewSecretValueRollsOutExactlyTheServicesThatUseIt() async throws {
        try await Self.withSops("e2esopsrot-") { t in
            let project = "e2esopsrot-app"
            try t.s.write("platform.yml", E2E.platformYAML())
            try t.s.write("projects/\(project)/project.yml", "rollout: {ready_timeout: 30s}\n")
            try t.s.write("projects/\(project)/compose.yml", """
                secrets:
                  db_pw: {environment: DB_PASSWORD}
                services:
                  web:
                    image: berth-demo/app:1
                    environment: {APP_TOKEN: "token=${API_TOKEN}"}
                  filer:
                    image: berth-demo/app:1
                    secrets: [db_pw]
                  other:
                    image: berth-demo/app:1
                    environment: [PLAIN=1]
                """)
            let token1 = "tok1-\(UUID().uuidString.prefix(10))", token2 = "tok2-\(UUID().uuidString.prefix(10))"
            let pw1 = "pw1-\(UUID().uuidString.prefix(10))", pw2 = "pw2-\(UUID().uuidString.prefix(10))"
            try t.set(project, "API_TOKEN", token1)
            try t.set(project, "DB_PASSWORD", pw1)
            let first = try await t.apply()
            try #require(first.status == 0, "\(first)")
            let services = ["web", "filer", "other"]
            let before = await t.containers(project, services)
            let web = try #require(before["web"]?.first), filer = try #require(before["filer"]?.first)
            #expect(await E2E.exec(web, "echo \"$APP_TOKEN\"").stdout == "token=\(token1)\n")
            #expect(await E2E.exec(filer, "cat /run/secrets/db_pw").stdout == pw1)

            try t.set(project, "API_TOKEN", token2)
            let rotated = try await t.apply()
            try #require(rotated.status == 0, "\(rotated)")
            let afterToken = await t.containers(project, services)
            #expect(afterToken["web"] != before["web"], "the service whose environment uses API_TOKEN rolls out")
            #expect(afterToken["filer"] == before["filer"] && afterToken["other"] == before["other"], "the others keep their containers")
            let newWeb = try #require(afterToken["web"]?.first)
            #expect(await E2E.exec(newWeb, "echo \"$APP_TOKEN\"").stdout == "token=\(token2)\n")

            try t.set(project, "DB_PASSWORD", pw2)
            let again = try await t.apply()
            try #require(again.status == 0, "\(again)")
            let afterPassword = await t.containers(project, services)
            #expect(afterPassword["filer"] != afterToken["filer"], "the service that mounts DB_PASSWORD rolls out")
            #expect(afterPassword["web"] == afterToken["web"] && afterPassword["other"] == before["other"])
            let newFiler = try #require(afterPassword["filer"]?.first)
            #expect(await E2E.exec(newFiler, "cat /run/secrets/db_pw").stdout == pw2)

            // A rollback of web to its first deployment would need token1, which the repository no longer has
            // (the history keeps digests only): refused, nothing changes.
            let rollback = try await t.berth("rollback", [project, "web"])
            #expect(rollback.status == 3 && rollback.output.contains("API_TOKEN, whose value has changed since"), "\(rollback)")
            #expect(await t.containers(project, services) == afterPassword)
            #expect(!rollback.output.contains(token1) && !rollback.output.contains(token2))

            // Setting a key to the value it has re-encrypts it (a new nonce) and rolls out nothing.
            try t.set(project, "DB_PASSWORD", pw2)
            let plan = try await t.berth("plan", ["--live", "--detailed-exitcode"])
            #expect(plan.status == 0, "\(plan)")
            let down = try await t.berth("down", [project])
            #expect(down.status == 0, "\(down)")
        }
    }

    @Test func aSecretsFileThatCannotBeDecryptedChangesNothing() async throws {
        try await Self.withSops("e2esopsbad-") { t in
            let project = "e2esopsbad-app"
            try t.s.write("platform.yml", E2E.platformYAML())
            try t.s.write("projects/\(project)/project.yml", "rollout: {ready_timeout: 30s}\n")
            try t.s.write("projects/\(project)/compose.yml", E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "1", "APP_TOKEN": "${API_TOKEN}"]))
            let token = "tok-\(UUID().uuidString.prefix(10))"
            try t.set(project, "API_TOKEN", token)
            let first = try await t.apply()
            try #require(first.status == 0, "\(first)")
            let running = await E2E.runningContainers("\(project)-web-")
            let path = "projects/\(project)/secrets.enc.env"
            let original = try t.s.read(path)

            // A new version of the service, but its secrets file was tampered with.
            try t.s.write("projects/\(project)/compose.yml", E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "2", "APP_TOKEN": "${API_TOKEN}"]))
            try t.s.write(path, original.replacingOccurrences(of: "API_TOKEN=ENC[AES256_GCM,data:", with: "API_TOKEN=ENC[AES256_GCM,data:Zz"))
            let tampered = try await t.apply()
            #expect(tampered.status == 1, "\(tampered)")
            #expect(tampered.stderr.contains("\(path):1:1: cannot decrypt \(path)") && tampered.stderr.contains("nothing was changed"), "\(tampered.stderr)")
            #expect(await E2E.runningContainers("\(project)-web-") == running, "the running replica is untouched")

            let stranger = try SopsFixture()
            defer { stranger.cleanup() }
            try t.s.write(path, original)
            let wrongKey = try await BerthBinary.start(["apply", "--yes", "-c", t.s.repo.path, "--state-dir", t.s.stateDir.path],
                                                       environment: stranger.environment).wait()
            #expect(wrongKey.status == 1 && wrongKey.stderr.contains("is not one of its recipients"), "\(wrongKey)")
            #expect(await E2E.runningContainers("\(project)-web-") == running)
            for result in [tampered, wrongKey] { #expect(!result.output.contains(token)) }
            let down = try await t.berth("down", [project])
            #expect(down.status == 0, "\(down)")
        }
    }
}
