import BerthConfig
import BerthPlan
import Foundation
import Testing
import TestSupport

/// Compose `secrets` and `configs`: sources, targets, owner and mode; problems named where they are,
/// never with the value; and the config hash that rolls out exactly the services whose content changed.
@Suite struct ComposeSecretsTests {
    static let compose = """
        secrets:
          token: {environment: TOKEN}
          cert: {file: ./cert.pem}
        configs:
          conf: {content: "a=1"}
          plain: {file: ./plain.conf}
        services:
          web:
            image: busybox:1
            secrets:
              - token
              - source: cert
                target: tls.pem
                uid: "1000"
                gid: "1000"
                mode: 0440
            configs:
              - conf
              - source: plain
                target: /etc/plain.conf
          other:
            image: busybox:1
            configs: [conf]
          bare:
            image: busybox:1
        """

    static func files(token: String = "t0ken-value") -> [String: String] {
        ["projects/app/compose.yml": compose, "projects/app/cert.pem": "CERT", "projects/app/plain.conf": "plain",
         "projects/app/.env": "TOKEN=\(token)\n"]
    }

    @Test func sourcesTargetsOwnerAndMode() throws {
        let root = Repo.write(Self.files())
        defer { Fixtures.cleanup(root) }
        let compose = try #require(try Fixtures.load(root).project("app")?.compose)
        let web = try #require(compose.services["web"]?.files)
        let dir = root.appendingPathComponent("projects/app").standardizedFileURL.path
        #expect(web.map(\.target) == ["/run/secrets/token", "/run/secrets/tls.pem", "/conf", "/etc/plain.conf"])
        #expect(web.map(\.kind) == [.secret, .secret, .config, .config])
        #expect(web[0].content == Data("t0ken-value".utf8) && web[0].isWritten)
        #expect(web[1].uid == "1000" && web[1].gid == "1000" && web[1].mode == 0o440)
        #expect(web[1].isWritten, "a file with an owner or a mode is written by Berth: a bind mount cannot change them")
        #expect(web[2].content == Data("a=1".utf8))
        #expect(web[3].hostFile == dir + "/plain.conf", "a plain file is bind-mounted as Compose does")
        #expect(compose.services["bare"]?.files == nil)
    }

    @Test func aMissingFileOrUnsetVariableIsAnErrorWithoutTheValue() {
        var files = Self.files()
        files["projects/app/cert.pem"] = nil
        files["projects/app/.env"] = nil
        let problems = Repo.problems(files)
        expectContains(problems, "projects/app/compose.yml", 2, 24, "secret 'token' comes from the variable TOKEN, which is not set")
        expectContains(problems, "projects/app/compose.yml", 3, 16, "the file './cert.pem' of secret 'cert' does not exist")
    }

    @Test func externalAndUnknownNamesAreRefused() {
        let compose = "secrets:\n  x: {external: true}\nservices:\n  web:\n    image: busybox:1\n    secrets: [tokn]\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectContains(problems, "projects/app/compose.yml", 2, 7, "'external' in secret 'x' is not supported by berth", "Swarm")
        expectContains(problems, "projects/app/compose.yml", 6, 15, "uses secret 'tokn', which is not declared")
    }

    @Test func aValueNeverAppearsInAProblem() {
        let compose = Self.compose.replacingOccurrences(of: "mode: 0440", with: "mode: rw")
        var files = Self.files(token: "v3ry-secret")
        files["projects/app/compose.yml"] = compose
        let problems = Repo.problems(files)
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { !$0.message.contains("v3ry-secret") })
    }

    static func hashes(_ files: [String: String], key: Data?) throws -> [String: String] {
        let repository = try Repo.load(files)
        let state = try DesiredStateBuilder(repository: repository, hashKey: key).build()
        return Dictionary(uniqueKeysWithValues: state.services.map { ($0.name, $0.configHash) })
    }

    @Test func aNewSecretValueChangesOnlyTheHashOfItsServices() throws {
        let key = Data(repeating: 7, count: 32)
        let before = try Self.hashes(Self.files(), key: key)
        let after = try Self.hashes(Self.files(token: "another"), key: key)
        #expect(before["web"] != after["web"])
        #expect(before["other"] == after["other"])
        #expect(before["bare"] == after["bare"])
        var changedConfig = Self.files()
        changedConfig["projects/app/compose.yml"] = Self.compose.replacingOccurrences(of: "a=1", with: "a=2")
        let config = try Self.hashes(changedConfig, key: key)
        #expect(config["web"] != before["web"] && config["other"] != before["other"] && config["bare"] == before["bare"])
        // Another platform's key gives other digests: the hash is no plain hash of the value.
        let otherKey = try Self.hashes(Self.files(), key: Data(repeating: 9, count: 32))
        #expect(otherKey["web"] != before["web"] && otherKey["other"] == before["other"])
    }

    @Test func aServiceWithoutThemKeepsItsHash() throws {
        let plain = "services:\n  bare:\n    image: busybox:1\n"
        let alone = try Self.hashes(["projects/app/compose.yml": plain], key: nil)
        let beside = try Self.hashes(Self.files(), key: Data(repeating: 7, count: 32))
        #expect(alone["bare"] == beside["bare"])
    }
}
