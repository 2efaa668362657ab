import ArgumentParser
import BerthConfig
import BerthServer
import Foundation

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the daemon's API tokens.",
        discussion: """
            Tokens live hashed in the daemon's store (<state-dir>/berth.sqlite, or the PostgreSQL database of \
            --database / BERTH_DATABASE_URL); a new token is printed once, \
            on standard output, and cannot be shown again.

            Examples:
              berth token create ci --scope deploy --project blog --expires 90d
              berth token list
              berth token revoke ci
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct StateOptions: ParsableArguments {
        @Option(name: .customLong("state-dir"), help: "The daemon's state directory (default BERTH_STATE_DIR or /var/lib/berth).")
        var stateDir: String?

        @OptionGroup var store: DatabaseOptions

        func open() async throws -> any TaskStore {
            let dir = URL(fileURLWithPath: stateDir ?? ProcessInfo.processInfo.environment["BERTH_STATE_DIR"] ?? "/var/lib/berth")
            let database = try store.resolve(nil)
            do { return try await TaskStores.open(database: database, stateDirectory: dir) } catch { throw RuntimeFailure("\(error)") }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print it (once).")

        @OptionGroup var state: StateOptions
        @Argument(help: "The token's name (letters, digits, . _ -), shown in the audit log.")
        var name: String
        @Option(help: "read, deploy or admin.")
        var scope: TokenScope
        @Option(name: .customLong("project"), help: "Limit the token to this project (repeatable); default every project.")
        var projects: [String] = []
        @Option(help: "Expire after this long: 90d, 12h, 30m (default never).")
        var expires: String?

        func validate() throws {
            guard APIToken.isValidName(name) else { throw ValidationError("token name '\(name)': use 1-64 letters, digits, '.', '_' or '-'") }
            if let expires, Self.lifetime(expires) == nil {
                throw ValidationError("--expires '\(expires)': use a duration such as 90d, 12h or 30m")
            }
        }

        static func lifetime(_ text: String) -> TimeInterval? {
            if text.hasSuffix("d"), let days = Int(text.dropLast()), days > 0 { return TimeInterval(days) * 86_400 }
            guard let span = BerthConfig.TimeSpan(parsing: text), span.milliseconds > 0 else { return nil }
            return span.seconds
        }

        func run() async throws {
            let store = try await state.open()
            let secret = APIToken.generateSecret()
            let token = APIToken(name: name, hash: APIToken.hash(of: secret), scope: scope, projects: projects,
                                 expiresAt: expires.flatMap(Self.lifetime).map { Date().addingTimeInterval($0) })
            do {
                try await store.insert(token)
                try await store.append(AuditEntry(token: "cli", action: "token.create", target: name, status: 0,
                                                  result: "created (\(scope.rawValue)\(projects.isEmpty ? "" : ", " + projects.joined(separator: ",")))"))
            } catch {
                try? await store.close()  // the insert's error is the one to report
                throw RuntimeFailure("\(error)")
            }
            try await store.close()
            print(secret)
            let until = token.expiresAt.map { " until \(ISO8601DateFormatter().string(from: $0))" } ?? ""
            Terminal.standardError("created token '\(name)' (scope \(scope.rawValue)\(projects.isEmpty ? "" : ", projects " + projects.joined(separator: ", "))\(until)); it is shown only this once")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (names, scopes, expiry; never the tokens).")
        @OptionGroup var state: StateOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try await state.open()
            let tokens = try await store.tokens().filter { $0.revokedAt == nil }
            try await store.close()
            if json {
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                struct Row: Encodable { var name, scope: String; var projects: [String]; var created_at: Date; var expires_at: Date?; var expired: Bool }
                let rows = tokens.map { Row(name: $0.name, scope: $0.scope.rawValue, projects: $0.projects, created_at: $0.createdAt,
                                            expires_at: $0.expiresAt, expired: $0.isExpired()) }
                print(String(decoding: try encoder.encode(rows), as: UTF8.self))
                return
            }
            if tokens.isEmpty { print("No tokens; create one with berth token create NAME --scope read|deploy|admin") }
            let f = ISO8601DateFormatter()
            for t in tokens {
                let expiry = t.expiresAt.map { (t.isExpired() ? "expired " : "expires ") + f.string(from: $0) } ?? "never expires"
                print("\(t.name)\t\(t.scope.rawValue)\t\(t.projects.isEmpty ? "all projects" : t.projects.joined(separator: ","))\t\(expiry)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: it is refused (401) from now on.")
        @OptionGroup var state: StateOptions
        @Argument(help: "The token's name.") var name: String

        func run() async throws {
            let store = try await state.open()
            let revoked = try await store.revokeToken(named: name, at: Date())
            if revoked { try await store.append(AuditEntry(token: "cli", action: "token.revoke", target: name, status: 0, result: "revoked")) }
            try await store.close()
            guard revoked else { throw ValidationError("no active token named '\(name)'; see berth token list") }
            print("revoked token '\(name)'")
        }
    }
}

extension TokenScope: ExpressibleByArgument {}
