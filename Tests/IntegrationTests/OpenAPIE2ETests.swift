import Foundation
import Testing
import TestSupport

/// The served OpenAPI document of a real `berth serve` (a tiny repository, nothing deployed): checked by
/// openapi-spec-validator and fuzzed by schemathesis (both PyPI, installed by scripts/setup.sh) with a
/// read token and with no token. No server error; without a token every /v1 answer is 401.
/// (In ServeE2ETests, nested in ApplyE2ETests: the Docker end-to-end tests share the proxy's ports, so they take turns.)
extension ApplyE2ETests.ServeE2ETests {
    @Test func theServedDocumentIsValidAndSchemathesisFindsNoServerErrorAndNoUnauthenticatedAccess() async throws {
        try await E2EScenario.run("e2eoas-") { s in
            try s.write("platform.yml", E2E.platformYAML(traefik: true))
            try s.project("e2eoas-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "oas.e2e.localhost"))
            let reader = try await s.createToken("fuzz", scope: "read")
            let daemon = try await ServeDaemon.start(s)
            defer { daemon.process.kill9() }

            let json = await daemon.call("GET", "/openapi.json")
            #expect(json.status == 200 && json.headers["content-type"] == "application/json", "\(json.status)")
            let yaml = await daemon.call("GET", "/openapi.yaml")
            #expect(yaml.status == 200 && yaml.body.hasPrefix("openapi: \"3.1.0\""), "\(yaml.body.prefix(200))")
            let work = Fixtures.tempDirectory("berth-openapi-e2e")
            defer { try? FileManager.default.removeItem(at: work) }
            let file = work.appendingPathComponent("openapi.json")
            try json.body.write(to: file, atomically: true, encoding: .utf8)
            let validated = await E2ECommand.run(["openapi-spec-validator", file.path], timeout: 60)
            #expect(validated.status == 0, "openapi-spec-validator:\n\(validated)")

            // What an earlier fuzzing run found, fixed: a path as project name reads no file; strict follow and tail.
            #expect(await daemon.call("GET", "/v1/deployments?project=..%2F..%2Fstate%2Fx", token: reader).status == 404)
            #expect(await daemon.call("GET", "/v1/projects/e2eoas-web/logs?follow=AAA", token: reader).status == 400)
            #expect(await daemon.call("GET", "/v1/projects/e2eoas-web/logs?tail=129110877466596160307200", token: reader).status == 400)

            let report = work
            // Run in the scratch directory: schemathesis keeps a .schemathesis/ cache in its working directory.
            let common = ["-C", work.path, "st", "run", daemon.base + "/openapi.json", "--max-examples", "30", "--seed", "10",
                          "--phases", "examples,coverage,fuzzing", "--workers", "1", "--request-timeout", "15", "--no-color"]
            // With a read token; the endless event stream is left out.
            let withToken = await E2ECommand.run(common + [
                "-H", "Authorization: Bearer \(reader)",
                // Every check, 405 with Allow for a method a path does not answer included.
                "--checks", "all",
                "--exclude-path", "/v1/events",
                "--report", "har", "--report-har-path", report.appendingPathComponent("token.har").path,
            ], timeout: 200)
            #expect(withToken.status == 0, "schemathesis with a read token:\n\(withToken.stdout.suffix(6000))\n\(withToken.stderr.suffix(2000))")
            let tokenCalls = try Self.har(report.appendingPathComponent("token.har"))
            #expect(tokenCalls.count > 50, "schemathesis made only \(tokenCalls.count) calls")
            #expect(tokenCalls.filter { $0.status >= 500 }.isEmpty, "\(tokenCalls.filter { $0.status >= 500 })")

            // Without a token.
            let without = await E2ECommand.run(common + [
                "--checks", "not_a_server_error,status_code_conformance",
                "--report", "har", "--report-har-path", report.appendingPathComponent("none.har").path,
            ], timeout: 200)
            #expect(without.status == 0, "schemathesis without a token:\n\(without.stdout.suffix(6000))\n\(without.stderr.suffix(2000))")
            let calls = try Self.har(report.appendingPathComponent("none.har"))
            let api = calls.filter { $0.path.hasPrefix("/v1/") || $0.path == "/metrics" }
            #expect(api.count > 30, "only \(api.count) calls to /v1")
            // The git webhook authenticates by its signature; with no secret configured it is off (404), and
            // it answers only POST (405 for the other methods, which need no token to be refused).
            let open = api.filter { $0.status != 401 && !($0.path == "/v1/hooks/git" && [404, 405].contains($0.status)) }
            #expect(open.isEmpty, "answered without a token: \(open.prefix(10))")
            #expect(calls.filter { $0.status >= 500 }.isEmpty)
            print("schemathesis: \(tokenCalls.count) calls with a read token, \(calls.count) without (\(api.count) to /v1 and /metrics, all 401)")
            #expect(await daemon.call("GET", "/healthz").status == 200)
            let stopped = await daemon.stop()
            #expect(!stopped.output.contains(reader), "the token was printed")
        }
    }

    struct Call { var method: String; var path: String; var status: Int }

    /// The calls recorded in a HAR file (schemathesis --report har).
    static func har(_ file: URL) throws -> [Call] {
        let data = try Data(contentsOf: file)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = (object["log"] as? [String: Any])?["entries"] as? [[String: Any]] ?? []
        return entries.compactMap { entry in
            guard let request = entry["request"] as? [String: Any], let url = (request["url"] as? String).flatMap(URLComponents.init(string:)),
                  let status = (entry["response"] as? [String: Any])?["status"] as? Int else { return nil }
            return Call(method: request["method"] as? String ?? "", path: url.path, status: status)
        }
    }
}
