import Foundation
import Testing
import TestSupport

/// `berth apply` end to end: the built binary against the real Docker engine, with the real Caddy
/// proxy container publishing 127.0.0.1:18080/18443. One serialized suite (the tests share the proxy,
/// its name and the ports); each test uses its own project names, state directory and clean-up.
/// The tests are spread over the Apply*.swift files as extensions of this suite.
@Suite(.serialized, .tags(.e2e), .timeLimit(.minutes(4)),
       .enabled(if: E2E.enabled, "set BERTH_E2E=0 to skip the Docker end-to-end tests"))
struct ApplyE2ETests {
    // MARK: 1. the homelab example behind Caddy

    /// The homelab example, adapted for Caddy (http only, no rate limiter, no tcp route), with its
    /// projects renamed `e2ehl-*` so that the test's clean-up can go by name.
    static func homelabForCaddy(_ s: E2EScenario) throws {
        try copyHomelab(s, proxy: """
            proxy:
              kind: caddy
              image: \(E2E.proxyImage)
              http_port: \(E2E.httpPort)
              https_port: \(E2E.httpsPort)
              bind_address: 127.0.0.1
            """) { replacingTopLevelBlock($0, "entrypoints", with: nil) }  // only the removed echo project used one

        try FileManager.default.removeItem(at: s.repo.appendingPathComponent("projects/echo"))
        for name in ["api", "notes", "site"] { try s.renameProject(name, to: "e2ehl-\(name)") }
        for name in ["api", "notes", "site"] {
            for file in ["project.yml", "compose.yml"] {
                let path = "projects/e2ehl-\(name)/\(file)"
                var text = try s.read(path)
                text = text.replacingOccurrences(of: "notes/db", with: "e2ehl-notes/db")
                    .replacingOccurrences(of: "db.notes", with: "db.e2ehl-notes")
                if file == "project.yml" { text = routesWithoutTLSAndRateLimit(text) }
                try s.write(path, text)
            }
        }
    }

    /// Copies the homelab example into the scenario with the tests' proxy block, no ACME, the tests'
    /// address pool and platform name; `adapt` changes the rest of platform.yml.
    static func copyHomelab(_ s: E2EScenario, proxy: String, adapt: (String) -> String = { $0 }) throws {
        try s.copyRepository(from: Fixtures.homelab)
        var platform = try s.read("platform.yml")
        platform = replacingTopLevelBlock(platform, "proxy", with: proxy)
        platform = replacingTopLevelBlock(platform, "acme", with: nil)
        platform = platform.replacingOccurrences(of: #"pools: \[[^\]]*\]"#, with: "pools: [\(E2E.pool)]", options: .regularExpression)
        platform = platform.replacingOccurrences(of: "domain: homelab.localhost", with: "domain: homelab.localhost\nname: \(E2E.platformName)")
        try s.write("platform.yml", adapt(platform))
    }

    /// Replaces (or with nil removes) a top-level YAML block: its key line and the indented lines after it.
    static func replacingTopLevelBlock(_ text: String, _ key: String, with replacement: String?) -> String {
        var out: [String] = []
        var inBlock = false
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("\(key):") {
                inBlock = true
                if let replacement { out.append(replacement) }
                continue
            }
            if inBlock && (line.hasPrefix(" ") || line.isEmpty) { continue }
            inBlock = false
            out.append(line)
        }
        return out.joined(separator: "\n")
    }

    /// Every ingress row gets `tls: false` (Caddy serves http only here); `api-limit` (rate_limit,
    /// which stock Caddy lacks) is dropped from middleware lists.
    static func routesWithoutTLSAndRateLimit(_ text: String) -> String {
        var out: [String] = []
        for line in text.components(separatedBy: "\n") {
            var l = line
            if l.contains("api-limit") {
                l = l.replacingOccurrences(of: "api-limit, ", with: "").replacingOccurrences(of: ", api-limit", with: "")
                if l.trimmingCharacters(in: .whitespaces) == "middlewares: [api-limit]" { continue }
            }
            out.append(l)
            if l.hasPrefix("  - service:") { out.append("    tls: false") }
        }
        return out.joined(separator: "\n")
    }

    @Test func homelabBehindCaddyServesEveryProjectAndIsolatesThem() async throws {
        try await E2EScenario.run("e2ehl-") { s in
            try Self.homelabForCaddy(s)
            let apply = try await s.apply()
            try #require(apply.status == 0, "\(apply)")
            #expect(apply.stdout.contains("create the proxy \(E2E.proxyContainer)"))

            // Every route through the proxy on 127.0.0.1:18080.
            let www = try #require(await E2EHTTP.waitFor("www.homelab.localhost"), "site www did not answer 200")
            #expect(www.body.contains("Berth demo static site"))
            #expect(E2EHTTP.status("homelab.localhost") == 200)
            let notes = try E2EHTTP.get("notes.homelab.localhost")
            #expect(notes.status == 200)
            #expect(notes.body.contains("My notes"), "notes page: \(notes.body.prefix(200))")
            #expect(E2EHTTP.status("api.homelab.localhost") == 200)
            #expect(E2EHTTP.status("api.homelab-alt.localhost") == 200)
            #expect(E2EHTTP.status("api.homelab.localhost", "/cgi-bin/version") == 200)
            // The admin area: basic auth (admin-auth), then lan-only.
            let anonymous = try E2EHTTP.get("api.homelab.localhost", "/admin")
            #expect(anonymous.status == 401, "GET /admin without credentials: \(anonymous.status)")
            #expect(anonymous.headers["www-authenticate"]?.lowercased().contains("basic") == true)
            let wrong = E2EHTTP.status("api.homelab.localhost", "/admin", headers: E2EHTTP.basicAuth("admin", "wrong"))
            #expect(wrong == 401)
            let admin = E2EHTTP.status("api.homelab.localhost", "/admin", headers: E2EHTTP.basicAuth("admin", "berth-demo"))
            #expect(admin != 401 && admin != 403 && admin > 0, "GET /admin with admin:berth-demo answered \(admin)")
            // lan-only allows 127.0.0.1/32: Caddy on the host network sees the real client address.
            let fromTwo = try E2EHTTP.get("api.homelab.localhost", "/admin", headers: E2EHTTP.basicAuth("admin", "berth-demo"), source: "127.0.0.2")
            #expect(fromTwo.status == 403, "GET /admin from 127.0.0.2 answered \(fromTwo.status)")
            // Default middlewares (secure-headers) are applied.
            #expect(www.headers["x-frame-options"] != nil, "secure-headers missing: \(www.headers)")
            // A host nobody routes is not served by any project.
            let unknown = try? E2EHTTP.get("nobody.homelab.localhost")
            #expect(unknown.map { !$0.body.contains("Berth demo") } ?? true)

            // The notes database is a healthy PostgreSQL.
            let db = try #require(await E2E.runningContainers("e2ehl-notes-db-").first, "no notes db container")
            let health = await E2ECommand.docker(["inspect", "-f", "{{.State.Health.Status}}", db])
            #expect(health.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "healthy", "\(health)")
            let ready = await E2E.exec(db, "pg_isready -U notes -d notes -h 127.0.0.1")
            #expect(ready.status == 0, "\(ready)")

            // Isolation between projects, with real containers.
            let api = try #require(await E2E.runningContainers("e2ehl-api-api-").first)
            let site = try #require(await E2E.runningContainers("e2ehl-site-www-").first)
            let app = try #require(await E2E.runningContainers("e2ehl-notes-app-").first)
            #expect(await E2E.runningContainers("e2ehl-site-www-").count == 2)
            let siteIP = try #require(await E2E.address(of: site, on: "e2ehl-site_ingress"))
            let dbIP = try #require(await E2E.address(of: db, on: "e2ehl-notes_internal"))
            let dbLinkIP = try #require(await E2E.address(of: db, on: "e2ehl-notes_link_e2ehl-api"))
            let appIP = try #require(await E2E.address(of: app, on: "e2ehl-notes_ingress"))
            let apiIP = try #require(await E2E.address(of: api, on: "e2ehl-api_ingress"))
            // Every probe below waits up to 2 s for a connection: run them at once.
            let probes: [(from: String, to: String, port: Int, reachable: Bool, what: String)] = [
                (site, "127.0.0.1", 8080, true, "probe sanity check inside the site container"),
                (api, "db.e2ehl-notes", 5432, true, "api → db.e2ehl-notes:5432, the declared edge"),
                (api, site, 8080, false, "api → the site by container name"),
                (api, siteIP, 8080, false, "api → the site at \(siteIP)"),
                (api, appIP, 8080, false, "api → the notes app at \(appIP)"),
                (api, dbIP, 5432, false, "api → the notes db's internal address \(dbIP)"),
                (site, "db.e2ehl-notes", 5432, false, "site → db.e2ehl-notes"),
                (site, dbIP, 5432, false, "site → the notes db at \(dbIP)"),
                (site, dbLinkIP, 5432, false, "site → the notes db's link address \(dbLinkIP)"),
                (site, apiIP, 8080, false, "site → the api at \(apiIP)"),
                (app, apiIP, 8080, false, "notes app → the api at \(apiIP)"),
            ]
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for (i, p) in probes.enumerated() {
                    group.addTask {
                        (i, p.reachable ? await E2E.connects(from: p.from, to: p.to, port: p.port)
                                        : await E2E.canConnect(from: p.from, to: p.to, port: p.port))
                    }
                }
                var result: [Int: Bool] = [:]
                for await (i, ok) in group { result[i] = ok }
                return result
            }
            for (i, p) in probes.enumerated() {
                #expect(outcomes[i] == p.reachable, "\(p.what): \(outcomes[i] == true ? "reachable" : "unreachable")")
            }

            // Compose-compatible labels on every project container.
            for (project, container) in [("e2ehl-api", api), ("e2ehl-site", site), ("e2ehl-notes", app), ("e2ehl-notes", db)] {
                let label = await E2ECommand.docker(["inspect", "-f", "{{index .Config.Labels \"com.docker.compose.project\"}}", container])
                #expect(label.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == project, "\(container): \(label)")
            }
            let listed = await E2ECommand.dockerLines(["ps", "--filter", "label=com.docker.compose.project=e2ehl-site", "--format", "{{.Names}}"])
            #expect(listed.count == 2, "\(listed)")

            // status sees all three projects; a second apply has nothing to do.
            let status = try await s.berth("status")
            #expect(status.status == 0, "\(status)")
            for project in ["e2ehl-api", "e2ehl-notes", "e2ehl-site"] { #expect(status.stdout.contains("project \(project)"), "\(status)") }
            let again = try await s.apply()
            #expect(again.status == 0, "\(again)")
            #expect(!again.stdout.contains("Deployment "), "an unchanged repository must not deploy anything:\n\(again.stdout)")

            // Tearing the provider down while its consumer still runs: the link network goes too
            // (the consumer is disconnected from it), nothing of the provider is left.
            let downNotes = try await s.berth("down", ["e2ehl-notes"])
            #expect(downNotes.status == 0, "\(downNotes)")
            #expect(await E2E.networks("e2ehl-notes_") == [], "the provider's networks, link network included, are removed")
            #expect(await E2E.containers("e2ehl-notes-") == [])
        }
    }
}
