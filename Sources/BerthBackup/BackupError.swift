import BerthConfig

/// The backup domain: a backup, restore, verification or retention step that failed. `code` says which
/// (programs branch on it), `cause` what and where, `hint` what to do. Never carries a secret value.
public struct BackupError: BerthError, Sendable, Equatable {
    public var code: ErrorCode
    public var cause: String
    public var hint: String?

    public init(_ code: ErrorCode, _ cause: String, hint: String? = nil) {
        self.code = code
        self.cause = cause
        self.hint = hint
    }

    public var domain: ErrorDomain { .backup }
    public var description: String { hint.map { "\(cause); \($0)" } ?? cause }
}

extension ErrorCode {
    /// `backups` is missing or a target is not configured.
    public static let backupNotConfigured: ErrorCode = "backup_not_configured"
    /// A credential variable (password, S3 keys) has no value.
    public static let backupCredentialMissing: ErrorCode = "backup_credential_missing"
    /// restic failed (repository unreachable, wrong password, refused write…).
    public static let resticFailed: ErrorCode = "restic_failed"
    /// The dump inside the database's container failed (the snapshot, if any, was forgotten).
    public static let dumpFailed: ErrorCode = "dump_failed"
    /// A read-back or restored copy differs from what was recorded.
    public static let verificationFailed: ErrorCode = "verification_failed"
    /// The volume, the database's container or the snapshot to restore is not there.
    public static let backupTargetMissing: ErrorCode = "backup_target_missing"
    /// A restore into the database or volume failed (nothing was swapped).
    public static let restoreFailed: ErrorCode = "restore_failed"
    /// A docker command berth needed failed.
    public static let backupDockerFailed: ErrorCode = "backup_docker_failed"
    /// The backup records in the state directory cannot be read or written.
    public static let backupRecordFailed: ErrorCode = "backup_record_failed"
}
