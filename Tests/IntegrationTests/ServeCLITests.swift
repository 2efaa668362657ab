import Foundation
import Testing
import TestSupport

/// `berth serve` and `berth token` refuse bad input with exit code 1 and say what to do; nothing is started
/// or stored then. No Docker needed.
@Suite struct ServeCLITests {
    @Test func serveRefusesAnInvalidRepositoryAndABadListenAddress() async throws {
        let dir = Fixtures.tempDirectory("berth-serve-cli")
        defer { Fixtures.cleanup(dir) }
        let state = dir.appendingPathComponent("state").path
        let noRepo = try await BerthBinary.runAsync(["serve", "-c", dir.path, "--state-dir", state, "--listen", "127.0.0.1:0"], timeout: 30)
        #expect(noRepo.status == 1 && noRepo.stderr.contains("platform.yml"), "\(noRepo)")
        #expect(!FileManager.default.fileExists(atPath: state + "/berth.sqlite"), "a store was created for a daemon that never started")
        let listen = try await BerthBinary.runAsync(["serve", "-c", dir.path, "--listen", "localhost"], timeout: 30)
        #expect(listen.status == 1 && listen.stderr.contains("HOST:PORT"), "\(listen)")
    }

    @Test func tokenCommandsCheckTheirInputAndNeverShowATokenTwice() async throws {
        let dir = Fixtures.tempDirectory("berth-token-cli")
        defer { Fixtures.cleanup(dir) }
        let state = ["--state-dir", dir.path]
        let badName = try await BerthBinary.runAsync(["token", "create", "a b", "--scope", "read"] + state)
        #expect(badName.status == 1 && badName.stderr.contains("letters"), "\(badName)")
        let badScope = try await BerthBinary.runAsync(["token", "create", "x", "--scope", "root"] + state)
        #expect(badScope.status == 1, "\(badScope)")
        let badExpiry = try await BerthBinary.runAsync(["token", "create", "x", "--scope", "read", "--expires", "soon"] + state)
        #expect(badExpiry.status == 1 && badExpiry.stderr.contains("90d"), "\(badExpiry)")

        let created = try await BerthBinary.runAsync(["token", "create", "ci", "--scope", "deploy", "--project", "blog", "--expires", "90d"] + state)
        try #require(created.status == 0, "\(created)")
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("berth_") && secret.count == 70)
        let again = try await BerthBinary.runAsync(["token", "create", "ci", "--scope", "read"] + state)
        #expect(again.status == 3 && again.stderr.contains("revoke it first"), "\(again)")
        let list = try await BerthBinary.runAsync(["token", "list", "--json"] + state)
        #expect(list.status == 0 && list.stdout.contains("\"blog\"") && !list.stdout.contains(secret), "\(list)")
        let unknown = try await BerthBinary.runAsync(["token", "revoke", "nobody"] + state)
        #expect(unknown.status == 1, "\(unknown)")
        let revoked = try await BerthBinary.runAsync(["token", "revoke", "ci"] + state)
        #expect(revoked.status == 0, "\(revoked)")
        #expect(try await BerthBinary.runAsync(["token", "list"] + state).stdout.contains("No tokens"))
    }

    @Test func aSecondDaemonOnTheSamePortFailsClearlyAndSIGTERMStopsTheFirst() async throws {
        let dir = Fixtures.tempDirectory("berth-serve-port")
        defer { Fixtures.cleanup(dir) }
        let repo = dir.appendingPathComponent("repo").path
        let initialized = try await BerthBinary.runAsync(["init", repo])
        try #require(initialized.status == 0, "\(initialized)")
        let first = try BerthBinary.start(["serve", "-c", repo, "--state-dir", dir.appendingPathComponent("a").path, "--listen", "127.0.0.1:0"])
        defer { first.kill9() }
        var port: Int?
        for _ in 0..<100 where port == nil {
            port = first.currentOutput.split(separator: "\n").first { $0.contains("listening on") }.flatMap { Int($0.split(separator: ":").last ?? "") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let bound = try #require(port, "the first daemon did not start: \(first.currentErrorOutput)")
        let second = try await BerthBinary.runAsync(["serve", "-c", repo, "--state-dir", dir.appendingPathComponent("b").path,
                                                     "--listen", "127.0.0.1:\(bound)"], timeout: 30)
        #expect(second.status == 3 && second.stderr.contains("address is in use"), "\(second)")
        kill(first.pid, SIGTERM)
        let ended = await first.wait(timeout: 30)
        #expect(!ended.signaled && ended.status == 0, "\(ended)")
    }
}
