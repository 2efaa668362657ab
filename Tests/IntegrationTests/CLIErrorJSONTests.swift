import Foundation
import Testing
import TestSupport

/// Errors of the engine commands: the same text on standard error as always, and with `--json` an
/// error object with a stable code on standard output. No Docker needed: the engine is unreachable.
@Suite struct CLIErrorJSONTests {
    static let missingSocket = "unix:///nonexistent/berth-test-docker.sock"

    static func json(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    @Test func anUnreachableDockerEngineIsDockerUnreachableInEveryJSONForm() throws {
        let state = Fixtures.tempDirectory("berth-cli-errors")
        defer { Fixtures.cleanup(state) }
        let common = ["-c", Fixtures.homelab.path, "--docker-host", Self.missingSocket, "--state-dir", state.path]

        let apply = try BerthBinary.run(["apply", "--yes", "--json"] + common)
        #expect(apply.status == 3, "\(apply.stderr)")
        #expect(apply.stderr.contains("error: ") && apply.stderr.contains("is the Docker engine running?"), "\(apply.stderr)")
        let line = try #require(apply.stdout.split(separator: "\n").last.flatMap { Self.json(String($0)) }, "\(apply.stdout)")
        #expect(line["event"] as? String == "error", "\(line)")
        let error = try #require(line["error"] as? [String: Any])
        #expect(error["code"] as? String == "docker_unreachable" && error["domain"] as? String == "docker", "\(error)")
        #expect((error["hint"] as? String)?.contains("DOCKER_HOST") == true && error["cause"] is String && error["message"] is String)

        for command in [["status", "--json"], ["plan", "--live", "--json"]] {
            let result = try BerthBinary.run(command + common)
            #expect(result.status == 3, "\(command): \(result.stderr)")
            let object = try #require(Self.json(result.stdout), "\(command): \(result.stdout)")
            #expect((object["error"] as? [String: Any])?["code"] as? String == "docker_unreachable", "\(object)")
        }
        // Without --json nothing but the text.
        let text = try BerthBinary.run(["status"] + common)
        #expect(text.status == 3 && text.stdout.isEmpty && text.stderr.hasPrefix("error: "), "\(text)")
    }

    @Test func anInvalidRepositoryIsConfigInvalidWithItsLocations() throws {
        let repo = Fixtures.repository(["platform.yml": "domian: example.test\n"])
        defer { Fixtures.cleanup(repo) }
        let result = try BerthBinary.run(["plan", "--json", "-c", repo.path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("platform.yml:1:1: unknown key 'domian'"), "\(result.stderr)")
        let error = try #require(Self.json(result.stdout)?["error"] as? [String: Any], "\(result.stdout)")
        #expect(error["code"] as? String == "config_invalid" && error["domain"] as? String == "config")
        #expect((error["cause"] as? String)?.contains("platform.yml:1:1: unknown key 'domian'") == true, "\(error)")
    }

    @Test func aLogLevelThatIsNoLevelIsRefusedBeforeAnythingRuns() throws {
        let result = try BerthBinary.run(["status", "-c", Fixtures.homelab.path, "--docker-host", Self.missingSocket],
                                         environment: ["BERTH_LOG_LEVEL": "loud"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("BERTH_LOG_LEVEL=loud is not a log level: use one of trace, debug, info"), "\(result.stderr)")
        #expect(!result.stderr.contains("Docker engine"), "refused before connecting: \(result.stderr)")
    }
}
