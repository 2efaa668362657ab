import Foundation

/// What a restore (or a verification drill) did.
public struct RestoreReport: Sendable, Codable, Hashable {
    public var project: String
    public var kind: BackupTargetKind
    public var target: String
    public var snapshot: String
    /// The volume or database the snapshot was restored into (a scratch one for a drill: removed).
    public var restoredInto: String
    /// Whether the restored copy replaced the current data.
    public var swapped: Bool
    /// The previous data, kept under this name after a swap (never deleted by berth).
    public var previousKeptAs: String?
    /// Whether the restored copy matched the record (files and digest, or row counts and checksums).
    public var verified: Bool
    public var duration: Double
    public var files: Int?
    public var bytes: Int64?
    public var tables: [TableDigest]?
    public var error: BackupFailure?
}
