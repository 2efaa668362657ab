import BerthSystem
import Foundation

/// A Docker registry (`docker-registry`, Debian package of the same name) on 127.0.0.1, for pull tests.
/// Optionally requires basic auth for `LocalRegistry.username` / `LocalRegistry.password`.
final class LocalRegistry {
    static let binary = "/usr/bin/docker-registry"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }
    static let username = "berth"
    static let password = "berth-test-secret"
    /// bcrypt of `password` (the registry's htpasswd accepts only bcrypt).
    private static let passwordHash = "$2b$05$E6Ex4auRLwQdg5xwWtwEfOhUCrlj.ZD5OMEWUOzG4t.GhlaDH4Ggu"

    let address: String
    private let process: ChildProcess

    /// Starts a registry storing its data in `storage`, listening on a random local port.
    init(storage: URL, requireAuth: Bool) throws {
        let port = Int.random(in: 41000...49000)
        address = "127.0.0.1:\(port)"
        let dir = storage.deletingLastPathComponent()
        let htpasswd = dir.appendingPathComponent("htpasswd")
        try "\(Self.username):\(Self.passwordHash)\n".write(to: htpasswd, atomically: true, encoding: .utf8)
        let auth = requireAuth ? "auth:\n  htpasswd:\n    realm: berth-test\n    path: \(htpasswd.path)\n" : ""
        let config = dir.appendingPathComponent("registry-\(port).yml")
        try """
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: \(storage.path)
            http:
              addr: \(address)
            \(auth)
            """.write(to: config, atomically: true, encoding: .utf8)
        process = try ChildProcess(Self.binary, ["serve", config.path])
    }

    /// Stops the registry and waits for it to exit.
    func stop() {
        guard process.isRunning else { return }
        process.send(SIGTERM)
        _ = process.waitBlocking()
    }

    deinit { stop() }
}
