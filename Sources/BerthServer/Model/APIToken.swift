import Crypto
import Foundation

/// What a token may do. `read`: every read route; `deploy`: queue and cancel deploys and read the tasks it
/// created (nothing else); `admin`: everything, the audit log included.
public enum TokenScope: String, Codable, Sendable, CaseIterable {
    case read, deploy, admin
}

/// A bearer token as stored: its SHA-256, never the token itself.
public struct APIToken: Codable, Sendable, Equatable {
    public var name: String
    public var hash: String
    public var scope: TokenScope
    /// The projects the token is limited to; empty: every project.
    public var projects: [String]
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(name: String, hash: String, scope: TokenScope, projects: [String], createdAt: Date = Date(), expiresAt: Date?) {
        self.name = name
        self.hash = hash
        self.scope = scope
        self.projects = projects.sorted()
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = nil
    }

    public func isExpired(at now: Date = Date()) -> Bool { expiresAt.map { $0 <= now } ?? false }

    /// true when the token may touch `project`.
    public func allows(_ project: String) -> Bool { projects.isEmpty || projects.contains(project) }

    /// A new secret: `berth_` + 32 random bytes, hex. Shown once; only `hash(of:)` is stored.
    public static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "berth_" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    public static func hash(of secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Token names: letters, digits, `.`, `_` and `-`, 1–64 characters.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
