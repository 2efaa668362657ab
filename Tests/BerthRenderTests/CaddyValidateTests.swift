import BerthPlan
import BerthRender
import Foundation
import Testing
import TestSupport

/// The rendered JSON checked by Caddy itself (`caddy validate` provisions every module), and the
/// homelab output against its golden files.
@Suite struct CaddyValidateTests {
    static let caddyAvailable = (try? Fixtures.run(["caddy", "version"]).status) == 0

    /// Runs `caddy validate` with its storage in a temporary home; nil when Caddy accepts the config.
    static func validate(_ file: RenderedFile) throws -> String? {
        let dir = Fixtures.tempDirectory("berth-caddy")
        defer { Fixtures.cleanup(dir) }
        let url = dir.appendingPathComponent("caddy.json")
        try file.contents.write(to: url, atomically: true, encoding: .utf8)
        let env = ["HOME": dir.path, "XDG_DATA_HOME": dir.appendingPathComponent("data").path,
                   "XDG_CONFIG_HOME": dir.appendingPathComponent("config").path]
        let (status, output) = try Fixtures.run(["caddy", "validate", "--config", url.path], environment: env)
        return status == 0 ? nil : output
    }

    @Test(.enabled(if: caddyAvailable, "caddy is not on PATH; install Caddy 2.6+ (Debian: apt-get install caddy) to run it"))
    func renderedConfigsPassCaddyValidate() throws {
        let states: [(String, DesiredState)] = [
            ("homelab", try RenderFixture.homelab()),
            ("shop with ACME", try CaddyFixtures.shop()),
            ("shop without ACME, no redirect", try CaddyFixtures.shop(acme: "", proxy: "  redirect_to_https: false\n")),
            ("shop with the tls-alpn challenge", try CaddyFixtures.shop(
                acme: "acme:\n  email: ops@example.test\n  challenge: tls-alpn\n")),
        ]
        for (name, state) in states {
            let failure = try Self.validate(CaddyRenderer.config(state))
            #expect(failure == nil, "\(name): \(failure ?? "")")
        }
    }

    /// The check above is only worth something if Caddy rejects what it cannot load.
    @Test(.enabled(if: caddyAvailable, "caddy is not on PATH"))
    func caddyValidateRejectsABrokenConfig() throws {
        let broken = RenderedFile(path: "caddy/caddy.json", contents: """
            {"apps": {"http": {"servers": {"s": {"listen": [":80"], "routes": [{"handle": [
              {"handler": "reverse_proxy", "upstreams": [{"dial": "app:80"}],
               "health_checks": {"active": {"url": "/"}}}]}]}}}}}
            """)
        #expect(try Self.validate(broken) != nil)
    }

    @Test func homelabMatchesGoldenFiles() throws {
        let state = try RenderFixture.homelab()
        let warnings = RenderedFile(
            path: "caddy/warnings.txt", contents: CaddyRenderer.warnings(state).map { $0 + "\n" }.joined())
        for file in [CaddyRenderer.config(state), warnings] {
            let mismatch = try Golden.mismatch(file, set: "homelab")
            #expect(mismatch == nil, "\(mismatch ?? "")")
        }
    }

    @Test func configIsWrittenToCaddyJSONWithTheAdminAddress() throws {
        let state = try RenderFixture.homelab()
        #expect(CaddyRenderer.config(state).path == "caddy/caddy.json")
        #expect(CaddyRenderer.config(state).contents == CaddyRenderer.document(state, adminListen: "localhost:2019").json())
        let doc = CaddyRenderer.document(state, adminListen: "unix//run/caddy/admin.sock")
        #expect(doc["admin", "listen"] == .string("unix//run/caddy/admin.sock"))
        // Deterministic: the same state renders the same bytes.
        #expect(CaddyRenderer.config(state) == CaddyRenderer.config(try RenderFixture.homelab()))
    }
}
