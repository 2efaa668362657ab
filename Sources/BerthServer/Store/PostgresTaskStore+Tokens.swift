import Foundation
internal import PostgresNIO

extension PostgresTaskStore {
    // MARK: tokens

    public func insert(_ token: APIToken) async throws {
        for try await _ in try await client.query("SELECT name FROM tokens WHERE name = \(token.name)", logger: logger).decode(String.self) {
            throw StoreError(.duplicate, "a token named '\(token.name)' exists; revoke it first (berth token revoke \(token.name)) or choose another name")
        }
        try await client.query("INSERT INTO tokens (name, hash, body) VALUES (\(token.name), \(token.hash), \(try Self.json(token)))", logger: logger)
    }

    func tokens(_ query: PostgresQuery) async throws -> [APIToken] {
        var out: [APIToken] = []
        for try await body in try await client.query(query, logger: logger).decode(String.self) {
            out.append(try decode(APIToken.self, body, table: "tokens"))
        }
        return out
    }

    public func token(hash: String) async throws -> APIToken? {
        try await tokens("SELECT body FROM tokens WHERE hash = \(hash)").first
    }

    public func tokens() async throws -> [APIToken] { try await tokens("SELECT body FROM tokens ORDER BY name") }

    public func revokeToken(named name: String, at date: Date) async throws -> Bool {
        guard var token = try await tokens("SELECT body FROM tokens WHERE name = \(name)").first, token.revokedAt == nil else { return false }
        token.revokedAt = date
        // The row is kept (the audit log names it) under a name that frees the old one for reuse.
        try await client.query("""
            UPDATE tokens SET name = \("\(name)@revoked-\(Int(date.timeIntervalSince1970 * 1000))"), body = \(try Self.json(token))
            WHERE name = \(name)
            """, logger: logger)
        return true
    }

    // MARK: audit

    public func append(_ entry: AuditEntry) async throws {
        try await client.query("INSERT INTO audit (body) VALUES (\(try Self.json(entry)))", logger: logger)
    }

    public func audit(limit: Int) async throws -> [AuditEntry] {
        var out: [AuditEntry] = []
        for try await (id, body) in try await client.query("SELECT id, body FROM audit ORDER BY id DESC LIMIT \(limit)", logger: logger)
            .decode((Int64, String).self) {
            var entry = try decode(AuditEntry.self, body, table: "audit")
            entry.id = id
            out.append(entry)
        }
        return out
    }
}
