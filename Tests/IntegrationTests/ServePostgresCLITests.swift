import Foundation
import Testing
import TestSupport

/// `berth serve --database`, BERTH_DATABASE_URL and `api.database`: bad input is refused before anything
/// starts (exit 1, naming where the URL came from), and the password is never printed. No Docker needed.
@Suite struct ServePostgresCLITests {
    @Test func aBadDatabaseURLIsRefusedWithoutItsPassword() async throws {
        let repo = Fixtures.repository(["platform.yml": "domain: cli.localhost\n"])
        defer { Fixtures.cleanup(repo) }
        let state = repo.appendingPathComponent("state").path
        let flag = try await BerthBinary.runAsync(["serve", "-c", repo.path, "--state-dir", state, "--listen", "127.0.0.1:0",
                                                   "--database", "mysql://berth:hunter2-pw@127.0.0.1/berth"], timeout: 30)
        #expect(flag.status == 1 && flag.stderr.contains("--database") && flag.stderr.contains("scheme"), "\(flag)")
        #expect(!flag.stderr.contains("hunter2-pw") && !flag.stdout.contains("hunter2-pw"))
        #expect(!FileManager.default.fileExists(atPath: state + "/berth.sqlite"), "a store was created for a daemon that never started")

        let token = try await BerthBinary.runAsync(["token", "create", "ci", "--scope", "read", "--state-dir", state,
                                                    "--database", "postgres://berth:hunter2-pw@127.0.0.1"], timeout: 30)
        #expect(token.status == 1 && token.stderr.contains("no database") && !token.stderr.contains("hunter2-pw"), "\(token)")
    }

    @Test func apiDatabaseInPlatformYAMLIsCheckedWithItsLine() async throws {
        let repo = Fixtures.repository(["platform.yml": "domain: cli.localhost\napi:\n  database: mysql://berth:hunter2-pw@db/berth\n"])
        defer { Fixtures.cleanup(repo) }
        let result = try await BerthBinary.runAsync(["serve", "-c", repo.path, "--state-dir", repo.appendingPathComponent("state").path,
                                                     "--listen", "127.0.0.1:0"], timeout: 30)
        #expect(result.status == 1 && result.stderr.contains("platform.yml:3") && result.stderr.contains("'database' in 'api'"), "\(result)")
        #expect(!result.stderr.contains("hunter2-pw"))
    }

    @Test func anUnreachableDatabaseEndsTheStartWithTheURLWithoutPassword() async throws {
        let repo = Fixtures.repository(["platform.yml": "domain: cli.localhost\napi:\n  database: postgres://berth:hunter2-pw@127.0.0.1:1/berth?sslmode=disable\n"])
        defer { Fixtures.cleanup(repo) }
        let state = repo.appendingPathComponent("state").path
        let result = try await BerthBinary.runAsync(["serve", "-c", repo.path, "--state-dir", state, "--listen", "127.0.0.1:0"], timeout: 60)
        #expect(result.status != 0 && result.stderr.contains("cannot use the database postgres://berth:***@127.0.0.1:1/berth"), "\(result)")
        #expect(!result.stderr.contains("hunter2-pw") && !result.stdout.contains("hunter2-pw"))
        #expect(!FileManager.default.fileExists(atPath: state + "/berth.sqlite"))
    }

    @Test(.enabled(if: PostgresServer.available, "PostgreSQL 15 is not installed (scripts/setup.sh installs it)"))
    func tokensGoToTheDatabaseNamedByFlagOrEnvironmentWithThePasswordFromItsOwnVariable() async throws {
        let pg = try PostgresServer.start()
        defer { pg.stop() }
        let dir = Fixtures.tempDirectory("berth-token-pg")
        defer { Fixtures.cleanup(dir) }
        let state = ["--state-dir", dir.path]
        let created = try await BerthBinary.start(["token", "create", "ci", "--scope", "read", "--database", pg.urlWithoutPassword] + state,
                                                  environment: ["BERTH_DATABASE_PASSWORD": PostgresServer.password]).wait(timeout: 60)
        #expect(created.status == 0 && created.stdout.hasPrefix("berth_"), "\(created)")
        #expect(try pg.psql("SELECT name FROM tokens") == "ci")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/berth.sqlite"), "the token went to SQLite")
        let listed = try await BerthBinary.start(["token", "list"] + state, environment: ["BERTH_DATABASE_URL": pg.url]).wait(timeout: 60)
        #expect(listed.status == 0 && listed.stdout.contains("ci\tread"), "\(listed)")
        // The flag wins over the environment; without a password the server refuses, and says so.
        let refused = try await BerthBinary.start(["token", "list", "--database", pg.urlWithoutPassword] + state,
                                                  environment: ["BERTH_DATABASE_URL": pg.url]).wait(timeout: 60)
        #expect(refused.status != 0 && refused.stderr.contains("cannot use the database postgres://berth@127.0.0.1:\(pg.port)/berth"), "\(refused)")
        for output in [created, listed, refused] {
            #expect(!output.stdout.contains(PostgresServer.password) && !output.stderr.contains(PostgresServer.password))
        }
    }
}
