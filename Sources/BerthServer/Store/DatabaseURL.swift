import Foundation

/// A PostgreSQL URL, `postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=disable|prefer|require]`.
/// `description` never shows the password.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, prefer, require }
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Parses `raw`; `source` names where it came from (a flag, an environment variable, `file:line`) for the error.
    public init(_ raw: String, source: String) throws {
        func fail(_ why: String) -> StoreError {
            StoreError(.invalid, "\(source): the database URL is not a PostgreSQL URL (\(why)); expected postgres://USER:PASSWORD@HOST:5432/DATABASE")
        }
        guard let components = URLComponents(string: raw), let scheme = components.scheme else { throw fail("it cannot be parsed") }
        guard ["postgres", "postgresql"].contains(scheme.lowercased()) else { throw fail("the scheme is '\(scheme)', not postgres") }
        guard let host = components.host, !host.isEmpty else { throw fail("it names no host") }
        guard let user = components.user, !user.isEmpty else { throw fail("it names no user") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw fail("it names no database after the host") }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { throw fail("unknown parameter '\(item.name)'; only sslmode is known") }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else { throw fail("sslmode must be disable, prefer or require") }
            tls = mode
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user  // URLComponents decodes user and password
        self.password = components.password
        self.database = database
        self.tls = tls
    }

    public var description: String { "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)" }
}
