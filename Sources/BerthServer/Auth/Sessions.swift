import Crypto
import Foundation

/// The status page's sign-in sessions, in memory (a restarted daemon asks to sign in again). A session
/// holds the hash of the token it was opened with, so a revoked or expired token ends its sessions at
/// once; the session id itself is kept only as its SHA-256.
public actor Sessions {
    public static let cookieName = "berth_session"
    public static let lifetime: Duration = .seconds(12 * 3600)

    struct Entry { var tokenHash: String; var expires: ContinuousClock.Instant }
    private var entries: [String: Entry] = [:]

    public init() {}

    /// A new session for the token with `tokenHash`; returns the secret for the cookie.
    func open(tokenHash: String) -> String {
        let now = ContinuousClock.now
        entries = entries.filter { $0.value.expires > now }
        let secret = APIToken.generateSecret().replacingOccurrences(of: "berth_", with: "")
        entries[Self.hash(secret)] = Entry(tokenHash: tokenHash, expires: now + Self.lifetime)
        return secret
    }

    /// The token hash of a live session.
    func tokenHash(_ secret: String) -> String? {
        guard let entry = entries[Self.hash(secret)], entry.expires > .now else { return nil }
        return entry.tokenHash
    }

    func close(_ secret: String) { entries[Self.hash(secret)] = nil }

    static func hash(_ secret: String) -> String { APIToken.hash(of: secret) }
}
