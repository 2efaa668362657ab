import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL 15 (Debian's /usr/lib/postgresql/15/bin) started for a test: its own data directory,
/// listening on 127.0.0.1 at a free port, a superuser `berth` with a password (scram-sha-256 over TCP) and a
/// database `berth`. Run as the `postgres` user when the tests run as root (PostgreSQL refuses root).
/// `stop()` ends it and removes its directory.
public final class PostgresServer: Sendable {
    public static let bin = "/usr/lib/postgresql/15/bin"
    public static let user = "berth"
    public static let password = "pg-test-\(UUID().uuidString.prefix(8))"
    public let directory: URL
    public let port: Int
    public var url: String { "postgres://\(Self.user):\(Self.password)@127.0.0.1:\(port)/berth?sslmode=disable" }
    /// The URL without its password (BERTH_DATABASE_PASSWORD gives it).
    public var urlWithoutPassword: String { "postgres://\(Self.user)@127.0.0.1:\(port)/berth?sslmode=disable" }

    /// Whether PostgreSQL 15 is installed (scripts/setup.sh installs it).
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: "\(bin)/postgres") }

    private init(directory: URL, port: Int) {
        self.directory = directory
        self.port = port
    }

    static func asServerUser(_ arguments: [String]) -> [String] {
        getuid() == 0 ? ["runuser", "-u", "postgres", "--"] + arguments : arguments
    }

    public static func start() throws -> PostgresServer {
        let dir = Fixtures.tempDirectory("berth-pg")
        let data = dir.appendingPathComponent("data")
        try Data(password.utf8).write(to: dir.appendingPathComponent("pw"))
        if getuid() == 0 {
            let chown = try Fixtures.run(["chown", "-R", "postgres:postgres", dir.path])
            guard chown.status == 0 else { throw PostgresServerError("chown \(dir.path) failed: \(chown.output)") }
        }
        let initdb = try Fixtures.run(asServerUser([
            "\(bin)/initdb", "-D", data.path, "-U", user, "--pwfile=\(dir.path)/pw", "--auth-host=scram-sha-256",
            "--auth-local=trust", "-E", "UTF8", "--no-sync",
        ]))
        guard initdb.status == 0 else { throw PostgresServerError("initdb failed: \(initdb.output)") }
        var lastError = ""
        for _ in 0..<5 {
            let port = freePort()
            let start = try Fixtures.run(asServerUser([
                "\(bin)/pg_ctl", "-D", data.path, "-l", "\(dir.path)/log", "-w", "-t", "30",
                "-o", "-p \(port) -k \(dir.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", "start",
            ]))
            if start.status == 0 {
                let server = PostgresServer(directory: dir, port: port)
                let created = try Fixtures.run(asServerUser(["\(bin)/createdb", "-h", dir.path, "-p", "\(port)", "-U", user, "berth"]))
                guard created.status == 0 else {
                    server.stop()
                    throw PostgresServerError("createdb failed: \(created.output)")
                }
                return server
            }
            lastError = start.output + ((try? String(contentsOf: dir.appendingPathComponent("log"), encoding: .utf8)) ?? "")
        }
        Fixtures.cleanup(dir)
        throw PostgresServerError("pg_ctl start failed: \(lastError)")
    }

    /// Runs SQL with psql over the Unix socket (trust), returns its unaligned output.
    public func psql(_ sql: String) throws -> String {
        let result = try Fixtures.run(Self.asServerUser([
            "/usr/bin/psql", "-h", directory.path, "-p", "\(port)", "-U", Self.user, "-d", "berth", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql,
        ]))
        guard result.status == 0 else { throw PostgresServerError("psql failed: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func stop() {
        _ = try? Fixtures.run(Self.asServerUser(["\(Self.bin)/pg_ctl", "-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"]))
        Fixtures.cleanup(directory)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct PostgresServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
