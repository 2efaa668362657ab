import BerthConfig
import Testing
import TestSupport

@Suite struct RegistryTests {
    @Test func registriesAreReadWithThePasswordOnlyAsAnEnvironmentVariableName() throws {
        let repo = Fixtures.repository([
            "platform.yml": """
                domain: example.com
                registries:
                  ghcr.io:
                    username: deploy-bot
                    password_env: GHCR_TOKEN
                """,
        ])
        defer { Fixtures.cleanup(repo) }
        let loaded = try Fixtures.load(repo)
        #expect(loaded.platform.registries["ghcr.io"] == RegistryCredentials(username: "deploy-bot", passwordEnv: "GHCR_TOKEN"))
    }

    @Test func aLiteralPasswordIsAnUnknownKeyWithAHint() throws {
        let repo = Fixtures.repository([
            "platform.yml": "domain: example.com\nregistries:\n  ghcr.io:\n    username: bot\n    password: hunter2\n",
        ])
        defer { Fixtures.cleanup(repo) }
        do {
            _ = try Fixtures.load(repo)
            Issue.record("expected an error")
        } catch let error as ConfigError {
            let text = error.diagnostics.map(\.description).joined(separator: "\n")
            #expect(text.contains("platform.yml:5:5: unknown key 'password' in registry 'ghcr.io'"))
            #expect(text.contains("needs 'password_env'"))
            #expect(!text.contains("hunter2"))
        }
    }

    @Test(arguments: [
        ("nginx:1.27", "docker.io"), ("library/nginx", "docker.io"), ("ghcr.io/org/app:1", "ghcr.io"),
        ("registry.example.com:5000/app", "registry.example.com:5000"), ("localhost/app", "localhost"),
    ])
    func registryOfAnImage(image: String, registry: String) {
        #expect(RegistryCredentials.registry(of: image) == registry)
    }
}
