import Foundation
import Testing
import TestSupport

/// No secret value is ever printed or stored in the clear: every command's output (validate, plan,
/// apply, --json, status, logs, render, rollback, down, a failing apply, an invalid repository), every
/// file under the state and render directories (except the mounted secret files themselves) and the
/// labels of everything the test created are searched for the values.
extension ApplyE2ETests {
    @Test func secretValuesAreNeverPrintedNorStoredInTheClear() async throws {
        try await Self.withSops("e2esopsleak-") { t in
            let project = "e2esopsleak-app"
            let host = "leak.e2e.localhost"
            let password = "pw-\(UUID().uuidString)", token = "tok-\(UUID().uuidString)", dns = "dns-\(UUID().uuidString)"
            let values = [password, token, dns]
            try t.s.write("platform.yml", E2E.platformYAML())
            try t.s.write("projects/\(project)/project.yml", E2E.appProject(host: host))
            func compose(version: String, extra: String = "") -> String {
                """
                secrets:
                  db_pw: {environment: DB_PASSWORD}
                services:
                  web:
                    image: berth-demo/app:1
                    environment:
                      APP_VERSION: "\(version)"
                      APP_TOKEN: "${API_TOKEN}"
                    secrets: [db_pw]
                \(extra)
                """
            }
            try t.s.write("projects/\(project)/compose.yml", compose(version: "1"))
            try t.set(project, "DB_PASSWORD", password)
            try t.set(project, "API_TOKEN", token)
            let platformSet = try SecretsCLITests.berth(["secrets", "set", "--platform", "DNS_TOKEN", "-c", t.s.repo.path], input: dns, environment: t.sops.environment)
            try #require(platformSet.status == 0, "\(platformSet.stderr)")

            var outputs: [(String, E2ECommandResult)] = []
            func run(_ command: String, _ arguments: [String] = []) async throws -> E2ECommandResult {
                let result = try await t.berth(command, arguments)
                outputs.append(("\(command) \(arguments.joined(separator: " "))", result))
                return result
            }
            let out = t.s.stateDir.deletingLastPathComponent().appendingPathComponent("render-out")
            #expect(try await run("validate").status == 0)
            _ = try await run("validate", ["--json"])
            _ = try await run("plan")
            _ = try await run("plan", ["--json"])
            // --verbose: the engine's log lines (standard error) are searched too.
            let applied = try await run("apply", ["--yes", "--json", "--verbose"])
            try #require(applied.status == 0, "\(applied)")
            let web = try #require(await E2E.runningContainers("\(project)-web-").first)
            #expect(await E2E.exec(web, "echo \"$APP_TOKEN\"").stdout == "\(token)\n", "the container gets the value")
            #expect(await E2E.exec(web, "cat /run/secrets/db_pw").stdout == password)
            _ = try await run("plan", ["--live", "--json"])
            _ = try await run("status")
            _ = try await run("status", ["--json"])
            _ = try await run("logs", [project, "web", "--tail", "50"])
            let rendered = try await run("render", ["--out", out.path])
            #expect(rendered.status == 0, "\(rendered)")
            let export = try String(contentsOf: out.appendingPathComponent("compose/\(project)/docker-compose.yml"), encoding: .utf8)
            #expect(export.contains("APP_TOKEN: ${API_TOKEN}") || export.contains("APP_TOKEN: \"${API_TOKEN}\""), "the export references the secret: \(export)")

            // A second version, then a rollback to the first: its secret values come back from the repository.
            try t.s.write("projects/\(project)/compose.yml", compose(version: "2"))
            #expect(try await run("apply", ["--yes"]).status == 0)
            let rollback = try await run("rollback", [project])
            #expect(rollback.status == 0, "\(rollback)")
            let rolledBack = try #require(await E2E.runningContainers("\(project)-web-").first)
            #expect(await E2E.exec(rolledBack, "echo \"$APP_VERSION\"; echo \"$APP_TOKEN\"").stdout == "1\n\(token)\n")

            // A failing apply (the new version never gets healthy) prints health output and log lines.
            try t.s.write("projects/\(project)/compose.yml", compose(version: "3").replacingOccurrences(of: "      APP_VERSION", with: "      APP_FAIL_HEALTH: \"1\"\n      APP_VERSION"))
            let failed = try await run("apply", ["--yes", "--verbose"])
            #expect(failed.status == 3, "\(failed)")
            let failedJSON = try await run("apply", ["--yes", "--json"])
            #expect(failedJSON.status == 3)
            // An invalid repository: a secret where it may not go, and a YAML error on a line that uses one.
            try t.s.write("projects/\(project)/compose.yml", compose(version: "1", extra: "    labels: {note: \"${API_TOKEN}\"}\n"))
            let invalid = try await run("validate")
            #expect(invalid.status == 1 && invalid.stderr.contains("the secret API_TOKEN"), "\(invalid)")
            try t.s.write("projects/\(project)/compose.yml", compose(version: "1").replacingOccurrences(of: "APP_TOKEN: \"${API_TOKEN}\"", with: "APP_TOKEN: \"${API_TOKEN}\" ]"))
            let broken = try await run("plan")
            #expect(broken.status == 1, "\(broken)")
            try t.s.write("projects/\(project)/compose.yml", compose(version: "1"))

            // Labels of everything created, then down.
            let containers = await E2ECommand.dockerLines(["ps", "-a", "--format", "{{.Names}}"])
                .filter { $0.hasPrefix(project) || $0.hasPrefix(E2E.proxyContainer) }
            #expect(!containers.isEmpty)
            var labels = ""
            for container in containers {
                labels += await E2ECommand.docker(["inspect", "--format", "{{json .Config.Labels}}", container]).stdout
            }
            for network in await E2E.networks(project) {
                labels += await E2ECommand.docker(["network", "inspect", "--format", "{{json .Labels}}", network]).stdout
            }
            #expect(labels.contains("berth.config-hash") || labels.contains("berth."), "labels were read: \(labels.prefix(200))")
            let history = try FileManager.default.contentsOfDirectory(atPath: t.s.stateDir.path).map { t.s.stateDir.appendingPathComponent($0) }
                .compactMap { try? String(contentsOf: $0.appendingPathComponent("deployments/\(project).json"), encoding: .utf8) }.joined()
            #expect(history.contains("hmac-sha256:"), "the history records keyed digests only")
            /// Searches every file under the state and render directories; returns how many it searched.
            func scan() -> Int {
                var searched = 0
                for directory in [t.s.stateDir, out] {
                    let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
                    while let url = files?.nextObject() as? URL {
                        guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true, let data = FileManager.default.contents(atPath: url.path) else { continue }
                        let text = String(decoding: data, as: UTF8.self)
                        // The mounted secret file itself holds the value, as it must (0700 directories around it).
                        if url.path.contains("/files/\(project)/web/") && url.lastPathComponent.hasPrefix("secret-") { continue }
                        searched += 1
                        for value in values { #expect(!text.contains(value), "\(url.path) holds a secret value") }
                    }
                }
                return searched
            }
            let searchedBefore = scan()
            _ = try await run("down", [project])

            for (name, result) in outputs {
                for value in values { #expect(!result.output.contains(value), "berth \(name) printed a secret value:\n\(result.output)") }
            }
            for value in values { #expect(!labels.contains(value), "a label holds a secret value") }
            let searchedAfter = scan()
            #expect(searchedBefore >= 3 && searchedAfter >= 3, "the state (history, routes, hash key) and the export were searched: \(searchedBefore), \(searchedAfter) files")
        }
    }
}
