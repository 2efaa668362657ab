import BerthConfig
import Foundation

public enum BackupTargetKind: String, Sendable, Codable, Hashable, CaseIterable {
    case volume, database
}

public enum BackupState: String, Sendable, Codable, Hashable {
    /// The snapshot is listed by restic and its data was read back and matched.
    case succeeded
    case failed
}

/// One table of a database backup: its row count and a checksum of its rows (`s64:` and the sum of the
/// first 64 bits of each row's md5, over the row's text form; older records: md5 over the sorted md5s),
/// as PostgreSQL computes them.
public struct TableDigest: Sendable, Codable, Hashable {
    public var table: String
    public var rows: Int
    public var checksum: String

    public init(table: String, rows: Int, checksum: String) {
        self.table = table
        self.rows = rows
        self.checksum = checksum
    }
}

/// What a failure was, in a record and a webhook (never a secret: restic and pg_dump messages only).
public struct BackupFailure: Sendable, Codable, Hashable {
    public var code: ErrorCode
    public var message: String

    public init(_ error: any Error) {
        if let e = error as? any BerthError {
            code = e.code
            message = e.description
        } else {
            code = .internalError
            message = "\(error)"
        }
    }
}

/// One backup of one volume or database, as kept in `<state>/<platform>/backups/`.
public struct BackupRecord: Sendable, Codable, Hashable {
    public var id: String
    public var platform: String
    public var project: String
    public var kind: BackupTargetKind
    /// The volume's key in compose.yml, or the database's name.
    public var target: String
    public var state: BackupState
    public var startedAt: Date
    /// Seconds, from the start to the end of the read-back.
    public var duration: Double
    /// restic's snapshot id (full).
    public var snapshot: String?
    /// Bytes of the volume's files, or of the dump.
    public var bytes: Int64?
    /// Files in the volume.
    public var files: Int?
    /// Volumes: the TreeDigest of the files; databases: SHA-256 of the dump stream.
    public var digest: String?
    /// Databases: each table's row count and checksum, taken in the dump's own snapshot.
    public var tables: [TableDigest]?
    /// Whether the services using the volume were stopped for the copy.
    public var stopped: [String]?
    public var error: BackupFailure?
    /// Set when retention forgot the snapshot.
    public var forgotten: Bool?

    public init(id: String, platform: String, project: String, kind: BackupTargetKind, target: String, state: BackupState, startedAt: Date, duration: Double) {
        self.id = id
        self.platform = platform
        self.project = project
        self.kind = kind
        self.target = target
        self.state = state
        self.startedAt = startedAt
        self.duration = duration
    }

    /// restic's tags for a target: `platform=…`, `project=…`, `volume=…` or `database=…`.
    public static func tags(platform: String, project: String, kind: BackupTargetKind, target: String) -> [String] {
        ["platform=\(platform)", "project=\(project)", "\(kind.rawValue)=\(target)"]
    }
}
