import Foundation
import Testing
import TestSupport

/// Compose `secrets` and `configs`, end to end: mounted where Compose mounts them, with the owner and
/// mode asked for; a new secret value rolls out exactly the service that mounts it; the value appears in
/// no output and no state file other than the mounted file itself.
extension ApplyE2ETests {
    @Test func secretsAndConfigsAreMountedAndRollOutOnChange() async throws {
        try await E2EScenario.run("e2esecrets-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            let project = "e2esecrets-app"
            let first = "s3cr3t-value-\(UUID().uuidString.prefix(8))"
            let second = "n3w-value-\(UUID().uuidString.prefix(8))"
            try s.write("projects/\(project)/.env", "TOKEN=\(first)\n")
            try s.write("projects/\(project)/plain.txt", "plain file\n")
            try s.write("projects/\(project)/compose.yml", """
                secrets:
                  token: {environment: TOKEN}
                  plain: {file: ./plain.txt}
                configs:
                  app_conf: {content: "listen 8080\\n"}
                services:
                  web:
                    image: berth-demo/app:1
                    secrets:
                      - source: token
                        target: api_token
                        uid: "1000"
                        gid: "1001"
                        mode: 0400
                      - plain
                    configs:
                      - source: app_conf
                        target: /etc/app.conf
                  other:
                    image: berth-demo/app:1
                    configs: [app_conf]
                """)
            try s.write("projects/\(project)/project.yml", "rollout: {ready_timeout: 30s}\n")
            let applied = try await s.apply()
            try #require(applied.status == 0, "\(applied)")
            let web = try #require(await E2E.runningContainers("\(project)-web-").first)
            let other = try #require(await E2E.runningContainers("\(project)-other-").first)
            #expect(await E2E.exec(web, "cat /run/secrets/api_token").stdout == first, "the value exactly, as Compose writes it")
            let owner = await E2E.exec(web, "stat -c '%a %u %g' /run/secrets/api_token")
            #expect(owner.stdout == "400 1000 1001\n", "\(owner)")
            #expect(await E2E.exec(web, "cat /run/secrets/plain").stdout == "plain file\n")
            #expect(await E2E.exec(web, "cat /etc/app.conf").stdout == "listen 8080\n")
            #expect(await E2E.exec(other, "cat /app_conf").stdout == "listen 8080\n")
            let readOnly = await E2E.exec(web, "echo x > /run/secrets/api_token")
            #expect(readOnly.status != 0, "secrets are mounted read-only")

            try s.write("projects/\(project)/.env", "TOKEN=\(second)\n")
            let plan = try await s.berth("plan", ["--json"])
            let changed = try await s.apply()
            try #require(changed.status == 0, "\(changed)")
            let newWeb = try #require(await E2E.runningContainers("\(project)-web-").first)
            #expect(newWeb != web, "the service that mounts the secret rolls out")
            #expect(await E2E.runningContainers("\(project)-other-") == [other], "the other service does not")
            #expect(await E2E.exec(newWeb, "cat /run/secrets/api_token").stdout == second)

            // The value is nowhere but in the mounted file: not in outputs, labels, nor other state files.
            let inspect = await E2ECommand.docker(["inspect", newWeb])
            let status = try await s.berth("status")
            for output in [applied.stdout, applied.stderr, changed.stdout, changed.stderr, plan.stdout, plan.stderr, inspect.stdout, status.stdout] {
                #expect(!output.contains(first) && !output.contains(second), "a secret value leaked: \(output)")
            }
            let files = FileManager.default.enumerator(at: s.stateDir, includingPropertiesForKeys: [.isRegularFileKey])
            var leaked: [String] = []
            while let url = files?.nextObject() as? URL {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                      let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                let isMounted = url.path.contains("/files/\(project)/web/") && url.lastPathComponent.hasPrefix("secret-")
                if !isMounted && (text.contains(first) || text.contains(second)) { leaked.append(url.path) }
            }
            #expect(leaked.isEmpty, "secret values in state files: \(leaked)")
            let platforms = try FileManager.default.contentsOfDirectory(atPath: s.stateDir.path)
            let keyFile = try #require(platforms.map { s.stateDir.appendingPathComponent($0).appendingPathComponent("hash.key") }
                .first { FileManager.default.fileExists(atPath: $0.path) }, "no hash.key in \(platforms)")
            #expect((try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int) == 0o600)
            let webFiles = keyFile.deletingLastPathComponent().appendingPathComponent("files/\(project)/web")
            #expect(FileManager.default.fileExists(atPath: webFiles.path))
            let generations = try FileManager.default.contentsOfDirectory(atPath: webFiles.path)
            #expect(generations.count == 1, "the old generation's files are removed with its replicas: \(generations)")
            #expect((try FileManager.default.attributesOfItem(atPath: webFiles.path)[.posixPermissions] as? Int) == 0o700)

        }
    }
}
