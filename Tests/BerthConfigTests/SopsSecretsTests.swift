import BerthConfig
import BerthPlan
import Foundation
import Testing
import TestSupport

/// `secrets.enc.env`, decrypted with the real sops and age: keys as interpolation variables of their own
/// project only, values only where they may go, clear errors (file:line) that never hold a value.
@Suite struct SopsSecretsTests {
    static let password = "pw-\(UUID().uuidString.prefix(12))"
    static let token = "tok-\(UUID().uuidString.prefix(12))"

    static let compose = """
        secrets:
          db_pw: {environment: DB_PASSWORD}
        services:
          web:
            image: busybox:1
            environment:
              PLAIN: "plain $$literal"
              DB_URL: "postgres://app:${DB_PASSWORD}@db/app?x=$$1"
              API_TOKEN:
            secrets: [db_pw]
          db:
            image: busybox:1
            environment: [DB_PASSWORD]
          bare:
            image: busybox:1
            environment: {PLAIN: "1"}
        """

    /// A repository with `files`, project app's secrets encrypted for `sops`'s key; loads it.
    static func withRepository<T>(
        _ files: [String: String], secrets: [String: [(String, String)]] = ["projects/app/secrets.enc.env": [("DB_PASSWORD", password), ("API_TOKEN", token)]],
        _ body: (URL, SopsFixture) throws -> T
    ) throws -> T {
        let sops = try SopsFixture()
        defer { sops.cleanup() }
        let root = Repo.write(files)
        defer { Fixtures.cleanup(root) }
        for (path, pairs) in secrets { try sops.encrypt(pairs, to: root.appendingPathComponent(path)) }
        return try body(root, sops)
    }

    static func problems(_ root: URL, _ environment: [String: String]) -> [Diagnostic] {
        do {
            _ = try Fixtures.load(root, environment: environment)
            return []
        } catch let error as ConfigError {
            return error.diagnostics
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    /// An empty secret is empty to Compose's operators (`:-`, `:+`), not a set value hidden behind a placeholder.
    @Test func anEmptySecretCountsAsEmptyInInterpolation() throws {
        let compose = """
            services:
              web:
                image: busybox:1
                environment:
                  DEFAULTED: "${EMPTY:-fallback}"
                  ALTERNATE: "x${EMPTY:+alt}"
                  SET: "${DB_PASSWORD:-unused}"
            """
        let secrets = ["projects/app/secrets.enc.env": [("EMPTY", ""), ("DB_PASSWORD", Self.password)]]
        try Self.withRepository(["projects/app/compose.yml": compose], secrets: secrets) { root, sops in
            let repository = try Fixtures.load(root, environment: sops.environment)
            let web = try #require(repository.project("app")?.compose.services["web"])
            #expect(web.environment["DEFAULTED"] == "fallback")
            #expect(web.environment["ALTERNATE"] == "x")
            #expect(web.secretEnvironment?["SET"]?.value?.reveal() == Self.password)
        }
    }

    @Test func keysAreVariablesOfTheirProjectOnlyWhereValuesMayGo() throws {
        try Self.withRepository(["projects/app/compose.yml": Self.compose]) { root, sops in
            let repository = try Fixtures.load(root, environment: sops.environment)
            let app = try #require(repository.project("app"))
            #expect(app.secrets?.keys == ["API_TOKEN", "DB_PASSWORD"])
            let web = try #require(app.compose.services["web"])
            #expect(web.environment == ["PLAIN": "plain $literal"], "values that use secrets are not in the plain environment")
            let url = try #require(web.secretEnvironment?["DB_URL"])
            #expect(url.value?.reveal() == "postgres://app:\(Self.password)@db/app?x=$1")
            #expect(url.template == "postgres://app:${DB_PASSWORD}@db/app?x=$$1")
            #expect(url.secrets == ["DB_PASSWORD"])
            #expect(web.secretEnvironment?["API_TOKEN"]?.value?.reveal() == Self.token, "KEY without a value takes the secret")
            #expect(web.files?.first?.content == Data(Self.password.utf8), "a secret's 'environment' source")
            #expect(app.compose.services["db"]?.secretEnvironment?["DB_PASSWORD"]?.value?.reveal() == Self.password)
            #expect(app.compose.services["bare"]?.secretEnvironment == nil)
            // Nothing that encodes or prints a spec can show a value.
            let encoded = String(decoding: try JSONEncoder().encode(web), as: UTF8.self)
            #expect(!encoded.contains(Self.password) && !encoded.contains(Self.token), "\(encoded)")
            var dumped = ""
            dump(web, to: &dumped)
            #expect(!dumped.contains(Self.password) && !dumped.contains(Self.token))
            #expect(!"\(web)".contains(Self.password) && !String(reflecting: web).contains(Self.token))
        }
    }

    @Test func aSecretChangeRollsOnlyItsServicesAndTheDigestIsKeyed() throws {
        let key = Data(repeating: 3, count: 32)
        func hashes(_ password: String, key: Data?) throws -> [String: String] {
            try Self.withRepository(["projects/app/compose.yml": Self.compose],
                                    secrets: ["projects/app/secrets.enc.env": [("DB_PASSWORD", password), ("API_TOKEN", Self.token)]]) { root, sops in
                let state = try DesiredStateBuilder(repository: try Fixtures.load(root, environment: sops.environment), hashKey: key).build()
                for service in state.services {
                    #expect(!service.replicas.flatMap(\.labels.values).contains { $0.contains(password) }, "a value in a label")
                }
                return Dictionary(uniqueKeysWithValues: state.services.map { ($0.name, $0.configHash) })
            }
        }
        let before = try hashes(Self.password, key: key)
        let again = try hashes(Self.password, key: key)
        let after = try hashes("changed-\(Self.password)", key: key)
        #expect(before == again, "re-encrypting the same value (new nonce) changes nothing")
        #expect(before["web"] != after["web"] && before["db"] != after["db"])
        #expect(before["bare"] == after["bare"])
        let otherKey = try hashes(Self.password, key: Data(repeating: 4, count: 32))
        #expect(otherKey["db"] != before["db"] && otherKey["bare"] == before["bare"], "the digest is an HMAC with the platform's key")
    }

    @Test func aMissingKeyIsAnErrorAtTheReference() throws {
        let compose = "services:\n  web:\n    image: busybox:1\n    environment:\n      A: \"x${DB_PASWORD}\"\n"
        try Self.withRepository(["projects/app/compose.yml": compose]) { root, sops in
            let problems = Self.problems(root, sops.environment)
            expectSingle(problems, "projects/app/compose.yml", 5, 12, "variable DB_PASWORD is not set", "secrets.enc.env")
        }
    }

    @Test func anotherProjectCannotReadTheSecrets() throws {
        let other = "services:\n  web:\n    image: busybox:1\n    environment: {A: \"${DB_PASSWORD}\"}\n"
        try Self.withRepository(["projects/app/compose.yml": Self.compose, "projects/other/compose.yml": other]) { root, sops in
            let problems = Self.problems(root, sops.environment)
            expectSingle(problems, "projects/other/compose.yml", 4, 23, "variable DB_PASSWORD is not set")
        }
    }

    @Test func aSecretOutsideEnvironmentIsRefusedWithoutItsValue() throws {
        let compose = """
            configs:
              c: {environment: API_TOKEN}
            services:
              web:
                image: busybox:1
                command: ["run", "--token=${API_TOKEN}"]
                labels: {note: "${DB_PASSWORD}"}
            """
        try Self.withRepository(["projects/app/compose.yml": compose]) { root, sops in
            let problems = Self.problems(root, sops.environment)
            expectContains(problems, "projects/app/compose.yml", 6, 22, "the secret API_TOKEN", "'services.web.command.1'", "file with a top-level 'secrets' entry")
            expectContains(problems, "projects/app/compose.yml", 7, 20, "the secret DB_PASSWORD", "'services.web.labels.note'")
            expectContains(problems, "projects/app/compose.yml", 2, 20, "config 'c' comes from the secret API_TOKEN", "make it a top-level secret")
            #expect(problems.count == 3, "\(problems)")
            #expect(problems.allSatisfy { !$0.message.contains(Self.password) && !$0.message.contains(Self.token) })
        }
    }

    @Test func anEncryptedEnvFileIsRefused() throws {
        let compose = "services:\n  web:\n    image: busybox:1\n    env_file: secrets.enc.env\n"
        try Self.withRepository(["projects/app/compose.yml": compose]) { root, sops in
            expectSingle(Self.problems(root, sops.environment), "projects/app/compose.yml", 4, 15, "is encrypted by sops", "environment: [KEY]")
        }
    }

    @Test func aKeyInBothDotenvAndSecretsIsAnError() throws {
        try Self.withRepository(["projects/app/compose.yml": Self.compose, "projects/app/.env": "DB_PASSWORD=plain\n"]) { root, sops in
            let problems = Self.problems(root, sops.environment)
            expectSingle(problems, "projects/app/secrets.enc.env", 1, 1, "DB_PASSWORD is defined in both", "projects/app/.env")
        }
    }

    @Test func theSecretsFileWinsOverTheProcessEnvironment() throws {
        try Self.withRepository(["projects/app/compose.yml": Self.compose]) { root, sops in
            var env = sops.environment
            env["DB_PASSWORD"] = "from-the-shell"
            let repository = try Fixtures.load(root, environment: env)
            #expect(repository.project("app")?.compose.services["db"]?.secretEnvironment?["DB_PASSWORD"]?.value?.reveal() == Self.password)
        }
    }

    @Test func aWrongKeyATamperedValueOrMACAndAPlainFileAreClearErrors() throws {
        try Self.withRepository(["projects/app/compose.yml": Self.compose]) { root, sops in
            let file = root.appendingPathComponent("projects/app/secrets.enc.env")
            let original = try String(contentsOf: file, encoding: .utf8)
            let stranger = try SopsFixture()
            defer { stranger.cleanup() }
            let wrongKey = Self.problems(root, stranger.environment)
            expectSingle(wrongKey, "projects/app/secrets.enc.env", 1, 1, "cannot decrypt projects/app/secrets.enc.env", "is not one of its recipients", "SOPS_AGE_KEY_FILE")
            let noKey = Self.problems(root, ["PATH": sops.environment["PATH"] ?? "/usr/bin"])
            expectSingle(noKey, "projects/app/secrets.enc.env", 1, 1, "no age key")

            // One character of DB_PASSWORD's ciphertext changed.
            let tampered = original.replacingOccurrences(of: "DB_PASSWORD=ENC[AES256_GCM,data:", with: "DB_PASSWORD=ENC[AES256_GCM,data:A")
            try tampered.write(to: file, atomically: true, encoding: .utf8)
            expectSingle(Self.problems(root, sops.environment), "projects/app/secrets.enc.env", 1, 1, "was changed after it was encrypted", "restore the file from git")

            // A value replaced by another encrypted value of the same file: the MAC no longer matches.
            let lines = original.split(separator: "\n").map(String.init)
            let api = try #require(lines.first { $0.hasPrefix("API_TOKEN=") })
            let swapped = lines.map { $0.hasPrefix("DB_PASSWORD=") ? "DB_PASSWORD=" + api.dropFirst("API_TOKEN=".count) : $0 }
            try swapped.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            let mac = Self.problems(root, sops.environment)
            #expect(mac.count == 1 && mac[0].message.contains("cannot decrypt"), "\(mac)")

            // A line removed: every value still decrypts, but the MAC over all of them does not match.
            try original.replacingOccurrences(of: api + "\n", with: "").write(to: file, atomically: true, encoding: .utf8)
            let removed = Self.problems(root, sops.environment)
            expectSingle(removed, "projects/app/secrets.enc.env", 1, 1, "its MAC does not match", "restore it from git")

            try "DB_PASSWORD=\(Self.password)\n".write(to: file, atomically: true, encoding: .utf8)
            let plain = Self.problems(root, sops.environment)
            expectSingle(plain, "projects/app/secrets.enc.env", 1, 1, "is not encrypted by sops")
            for p in wrongKey + noKey + mac + removed + plain { #expect(!p.message.contains(Self.password) && !p.message.contains(Self.token)) }
        }
    }

    @Test func platformSecretsAreForThePlatformOnly() throws {
        let compose = "services:\n  web:\n    image: busybox:1\n    environment: {A: \"${DNS_TOKEN}\"}\n"
        try Self.withRepository(["projects/app/compose.yml": "services:\n  web:\n    image: busybox:1\n"],
                                secrets: ["secrets.enc.env": [("DNS_TOKEN", Self.token)]]) { root, sops in
            let repository = try Fixtures.load(root, environment: sops.environment)
            #expect(repository.platformSecret("DNS_TOKEN")?.reveal() == Self.token)
            #expect(repository.platformSecrets?.keys == ["DNS_TOKEN"])
            #expect(repository.platformSecret("NOPE") == nil)
            try compose.write(to: root.appendingPathComponent("projects/app/compose.yml"), atomically: true, encoding: .utf8)
            expectSingle(Self.problems(root, sops.environment), "projects/app/compose.yml", 4, 23, "variable DNS_TOKEN is not set")
        }
    }

    @Test func platformRecipientsMustBeAgePublicKeys() {
        let problems = Repo.problems(["platform.yml": "domain: example.test\nsecrets: {age_recipients: [AGE-SECRET-KEY-1XYZ], recipient: x}\n",
                                      "projects/app/compose.yml": Repo.webCompose])
        #expect(problems.contains { $0.message.contains("is not an age public key") && $0.message.contains("it is a private key") }, "\(problems)")
        #expect(problems.allSatisfy { !$0.message.contains("AGE-SECRET-KEY-1XYZ") }, "a pasted private key is never echoed")
        #expect(problems.contains { $0.message.contains("recipient") && $0.location.line == 2 }, "\(problems)")
    }

    @Test func sopsIsFoundAtBerthSopsOrOnPathAndBerthAgeKeyFileIsPassedOn() throws {
        #expect(throws: Sops.Failure.self) { try Sops.locate(environment: ["BERTH_SOPS": "/nonexistent/sops"]) }
        do {
            _ = try Sops.locate(environment: ["PATH": "/nonexistent"])
            Issue.record("sops found on an empty PATH")
        } catch {
            #expect(error.description.contains("not on PATH") && error.description.contains("BERTH_SOPS"))
        }
        try Self.withRepository(["projects/app/compose.yml": Self.compose]) { root, sops in
            // PATH without sops (but with bash, for a pyenv shim as BERTH_SOPS).
            let env = ["BERTH_AGE_KEY_FILE": sops.keyFile.path, "BERTH_SOPS": SopsFixture.sops, "PATH": "/usr/bin:/bin"]
            let repository = try Fixtures.load(root, environment: env)
            #expect(repository.project("app")?.secrets?.values["DB_PASSWORD"]?.reveal() == Self.password)
            let missing = Self.problems(root, ["SOPS_AGE_KEY_FILE": sops.keyFile.path, "PATH": "/nonexistent"])
            expectSingle(missing, "projects/app/secrets.enc.env", 1, 1, "the sops binary is not on PATH")
        }
    }

    @Test func aSecretValueNeverPrints() {
        let value = SecretValue("hunter2-\(UUID().uuidString)")
        var dumped = ""
        dump(value, to: &dumped)
        for text in [value.description, String(reflecting: value), "\(value)", dumped, "\([value])"] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect(value.reveal().hasPrefix("hunter2-"))
    }
}
