import Foundation

/// A real age key and real sops for tests of `secrets.enc.env`: `encrypt` writes a dotenv file
/// encrypted by the sops binary for this key (found as Berth finds it: `BERTH_SOPS`, else `PATH`).
public struct SopsFixture: Sendable {
    public let directory: URL
    public let keyFile: URL
    public let publicKey: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A new age key pair in a temporary directory (removed by `cleanup`).
    public init() throws {
        directory = Fixtures.tempDirectory("berth-age")
        keyFile = directory.appendingPathComponent("keys.txt")
        let made = try Fixtures.run(["age-keygen", "-o", keyFile.path])
        guard made.status == 0 else { throw Failure(description: "age-keygen failed (is age installed? scripts/setup.sh): \(made.output)") }
        let pub = try Fixtures.run(["age-keygen", "-y", keyFile.path])
        publicKey = pub.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard publicKey.hasPrefix("age1") else { throw Failure(description: "age-keygen -y gave no public key: \(pub.output)") }
    }

    /// The variables a repository load or a berth command needs to decrypt with this key.
    public var environment: [String: String] {
        var env = ["SOPS_AGE_KEY_FILE": keyFile.path]
        if let path = ProcessInfo.processInfo.environment["PATH"] { env["PATH"] = path }
        if let sops = ProcessInfo.processInfo.environment["BERTH_SOPS"] { env["BERTH_SOPS"] = sops }
        return env
    }

    /// The sops binary.
    public static var sops: String {
        if let given = ProcessInfo.processInfo.environment["BERTH_SOPS"] { return given }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin").split(separator: ":") {
            let candidate = "\(dir)/sops"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "sops"
    }

    /// `pairs` as a dotenv file encrypted for this key (and `extraRecipients`), written to `url`.
    public func encrypt(_ pairs: [(String, String)], to url: URL, extraRecipients: [String] = []) throws {
        let plain = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "\n") + "\n"
        let input = directory.appendingPathComponent("plain-\(UUID().uuidString.prefix(8)).env")
        try plain.write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let result = try Fixtures.run([Self.sops, "--config", "/dev/null", "--encrypt", "--input-type", "dotenv", "--output-type", "dotenv",
                                       "--age", ([publicKey] + extraRecipients).joined(separator: ","), "--output", url.path, input.path])
        guard result.status == 0 else { throw Failure(description: "sops --encrypt failed: \(result.output)") }
    }

    /// `.sops.yaml` for `root` naming this key as the recipient of every secrets.enc.env.
    public func writeSopsConfig(in root: URL) throws {
        try "creation_rules:\n  - path_regex: (^|/)secrets\\.enc\\.env$\n    age: \(publicKey)\n"
            .write(to: root.appendingPathComponent(".sops.yaml"), atomically: true, encoding: .utf8)
    }

    public func cleanup() { Fixtures.cleanup(directory) }
}
