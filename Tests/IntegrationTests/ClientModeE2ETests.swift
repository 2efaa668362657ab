import Foundation
import Testing
import TestSupport

/// `berth --server URL --token T apply|status|tasks|logs` against a real daemon: the same output and exit
/// codes as the local commands.
// Nested in ApplyE2ETests: takes turns with the other Docker e2e tests (one proxy on 127.0.0.1:18080).
extension ApplyE2ETests {
    @Suite(.serialized, .tags(.e2e), .timeLimit(.minutes(6)))
    struct ClientModeE2ETests {
        static let project = "e2ecli-web"
        static let host = "cli.e2e.localhost"

        func client(_ arguments: [String], _ daemon: ServeDaemon, token: String) async throws -> E2ECommandResult {
            try await BerthBinary.start(arguments, environment: ["BERTH_TOKEN": token, "NO_COLOR": "1"]).wait(timeout: 180)
        }

        @Test func applyStatusTasksAndLogsThroughTheDaemon() async throws {
            try await E2EScenario.run("e2ecli-") { s in
                try s.write("platform.yml", E2E.platformYAML(traefik: true))
                let logger = "  logger:\n    image: berth-demo/app:1\n    command: [\"sh\", \"-c\", \"echo line-one; echo line-two; exec sleep 3600\"]\n"
                try s.project(Self.project, compose: E2E.appCompose(replicas: 1, extra: logger), project: E2E.appProject(host: Self.host))
                let admin = try await s.createToken("ops", scope: "admin")
                let reader = try await s.createToken("viewer", scope: "read")
                let daemon = try await ServeDaemon.start(s)
                defer { daemon.process.kill9() }

                // apply: --server before the subcommand, the token from BERTH_TOKEN; progress lines as the local apply's.
                let applied = try await client(["--server", daemon.base, "apply", "--yes", "--project", Self.project], daemon, token: admin)
                #expect(applied.status == 0, "\(applied)")
                #expect(applied.stdout.contains("  \(Self.project)/web: ") && applied.stdout.contains("✓ \(Self.project)"), "\(applied.stdout)")
                #expect(applied.stdout.contains("✓ \(Self.project)\n") && applied.stderr.contains("queued task t-"), "\(applied)")
                #expect(E2EHTTP.versions(Self.host, count: 3) == ["version=1": 3])

                // status: exactly what the local command prints, text and JSON.
                let local = try await s.berth("status", ["--no-color"])
                let remote = try await client(["status", "--server", daemon.base, "--no-color"], daemon, token: reader)
                #expect(remote.status == 0 && remote.stdout == local.stdout, "local:\n\(local.stdout)\nremote:\n\(remote)")
                let localJSON = try await s.berth("status", ["--json"])
                let remoteJSON = try await client(["--server", daemon.base, "status", "--json"], daemon, token: reader)
                #expect(remoteJSON.stdout == localJSON.stdout && localJSON.stdout.contains(Self.project), "local:\n\(localJSON.stdout)\nremote:\n\(remoteJSON)")

                // apply --json: JSON lines, the last one the summary; nothing to change the second time.
                let json = try await client(["--server", daemon.base, "apply", "--yes", "--json", "--force", "--project", Self.project], daemon, token: admin)
                #expect(json.status == 0, "\(json)")
                let lines = json.stdout.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
                #expect(lines.count == json.stdout.split(separator: "\n").count && lines.contains { $0["phase"] as? String == "switching" }, "\(json.stdout)")
                #expect(lines.last?["event"] as? String == "summary" && lines.last?["succeeded"] as? Bool == true, "\(json.stdout)")

                // tasks: both deploys, newest first; one by id.
                let tasks = try await client(["--server", daemon.base, "tasks"], daemon, token: admin)
                #expect(tasks.status == 0 && tasks.stdout.split(separator: "\n").count == 2 && tasks.stdout.contains("succeeded  100%  \(Self.project)  by ops"), "\(tasks)")
                // logs: the same lines as the local command.
                let localLogs = try await BerthBinary.runAsync(["logs", Self.project, "--tail", "3", "--state-dir", s.stateDir.path])
                let remoteLogs = try await client(["--server", daemon.base, "logs", Self.project, "--tail", "3"], daemon, token: reader)
                #expect(remoteLogs.status == 0 && remoteLogs.stdout == localLogs.stdout && remoteLogs.stdout.contains("-logger-")
                        && remoteLogs.stdout.contains(" | line-two"), "local:\n\(localLogs)\nremote:\n\(remoteLogs)")
                let noService = try await client(["--server", daemon.base, "logs", Self.project, "nope"], daemon, token: reader)
                let localNoService = try await BerthBinary.runAsync(["logs", Self.project, "nope", "--state-dir", s.stateDir.path])
                #expect(noService.status == 3 && localNoService.status == 3 && noService.stderr.contains("no containers of \(Self.project)/nope"), "\(noService)")

                // Exit codes: a refused token or scope is invalid input (1); no daemon there is a runtime failure (3).
                let refused = try await client(["--server", daemon.base, "apply", "--yes"], daemon, token: reader)
                #expect(refused.status == 1 && refused.stderr.contains("scope read"), "\(refused)")
                let unknown = try await client(["--server", daemon.base, "apply", "--yes", "--project", "e2ecli-nope"], daemon, token: admin)
                #expect(unknown.status == 1 && unknown.stderr.contains("e2ecli-nope"), "\(unknown)")
                let badToken = try await client(["--server", daemon.base, "status"], daemon, token: "berth_wrong")
                #expect(badToken.status == 1 && badToken.stderr.contains("invalid_token"), "\(badToken)")
                let away = try await client(["--server", "http://127.0.0.1:9", "status"], daemon, token: admin)
                #expect(away.status == 3 && away.stderr.contains("cannot reach the daemon"), "\(away)")
                let noToken = try await BerthBinary.start(["--server", daemon.base, "status"], environment: ["BERTH_TOKEN": ""]).wait(timeout: 30)
                #expect(noToken.status == 1 && noToken.stderr.contains("BERTH_TOKEN"), "\(noToken)")
                #expect(!applied.output.contains(admin) && !refused.output.contains(reader), "tokens are never printed")
                _ = await daemon.stop()
            }
        }
    }
}
