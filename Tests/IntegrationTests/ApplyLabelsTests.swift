import Foundation
import Testing
import TestSupport

/// Compose files that route with Traefik labels deploy unchanged: Berth reads the labels as ingress.
extension ApplyE2ETests {
    /// Copies an example repository as committed, with the tests' Traefik, address pool and platform name,
    /// and without ACME (nothing can reach this machine; Traefik serves its own certificate).
    static func copyExample(_ example: URL, into s: E2EScenario) throws {
        try s.copyRepository(from: example)
        var platform = try s.read("platform.yml")
        platform = replacingTopLevelBlock(platform, "proxy", with: E2E.traefikProxyBlock + "\nnetwork: {pools: [\(E2E.pool)]}")
        platform = replacingTopLevelBlock(platform, "acme", with: nil)
        platform = platform.replacingOccurrences(of: #"(?m)^domain: (.*)$"#, with: "domain: $1\nname: \(E2E.platformName)", options: .regularExpression)
        try s.write("platform.yml", platform)
    }

    /// The Kanban example (the seed's portal and a team stack, labels as its orchestrator writes them) on
    /// Traefik: ports on 127.0.0.1, no ACME (Traefik's own certificate), projects renamed `e2ekb-*`.
    @Test func kanbanLabelsAreRoutedAsWritten() async throws {
        try await E2EScenario.run("e2ekb-") { s in
            try Self.copyExample(Fixtures.kanban, into: s)
            for name in ["portal", "team-a"] { try s.renameProject(name, to: "e2ekb-\(name)") }

            let apply = try await s.apply()
            try #require(apply.status == 0, "\(apply)")
            func https(_ host: String, _ path: String) async -> String {
                let r = await E2ECommand.run(["curl", "-sk", "--max-time", "5", "--resolve", "\(host):\(E2E.httpsPort):127.0.0.1",
                                              "https://\(host):\(E2E.httpsPort)\(path)"])
                return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            var body = ""
            for _ in 0..<30 {
                body = await https("kanban.localhost", "/api/")
                if body == "portal-api" { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(body == "portal-api")
            #expect(await https("kanban.localhost", "/") == "portal-web")
            #expect(await https("team-a.kanban.localhost", "/api/") == "team-a-api")
            #expect(await https("team-a.kanban.localhost", "/") == "team-a-web")
            // http redirects to https, as the websecure entrypoint and the resolver ask.
            let redirect = await E2ECommand.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "--max-time", "5",
                                                 "-H", "Host: kanban.localhost", "http://127.0.0.1:\(E2E.httpPort)/"])
            #expect(redirect.stdout.hasPrefix("30") && redirect.stdout.contains("https://kanban.localhost"), "\(redirect)")
            // The containers do not carry the labels: Berth wrote the routing.
            let container = try #require(await E2E.runningContainers("e2ekb-portal-portal-api-").first)
            let labels = await E2ECommand.docker(["inspect", "-f", "{{json .Config.Labels}}", container])
            #expect(!labels.stdout.contains("traefik.http.routers"), "\(labels.stdout)")
        }
    }

    /// The infra-production stack (traefik-net external + its own internal network, labels, .env) as committed,
    /// on the tests' Traefik: routed through the proxy, the app reaches its database on the internal network.
    @Test func infraProductionStackRunsUnchanged() async throws {
        try await E2EScenario.run("e2eip-") { s in
            try Self.copyExample(Fixtures.infraProduction, into: s)
            try s.renameProject("dotnet-app", to: "e2eip-dotnet")
            let apply = try await s.apply()
            try #require(apply.status == 0, "\(apply)")
            let host = "dotnet.yourdomain.localhost"
            var body = ""
            for _ in 0..<30 {
                body = await E2ECommand.run(["curl", "-sk", "--max-time", "5", "--resolve", "\(host):\(E2E.httpsPort):127.0.0.1",
                                             "https://\(host):\(E2E.httpsPort)/"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                if body == "dotnet-app" { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(body == "dotnet-app")
            let app = try #require(await E2E.runningContainers("e2eip-dotnet-app-").first)
            #expect(await E2E.connects(from: app, to: "db", port: 5432), "the app reaches db on dotnet-internal")
            #expect(await E2E.exists(network: "e2eip-dotnet_dotnet-internal"))
            #expect(!(await E2E.exists(network: "traefik-net")), "traefik-net is mapped, not created")
        }
    }
}
