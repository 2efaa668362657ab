/// `backups` in platform.yml: where restic keeps the platform's backups, how long, and whom to tell.
/// Credentials are *names* of variables (resolved from the platform's `secrets.enc.env`, then berth's
/// environment); their values never appear in a file, an argument list or a log.
public struct BackupPlatformConfig: Sendable, Hashable {
    public enum Repository: Sendable, Hashable {
        /// An S3 bucket: `endpoint` (http(s)://host:port), `bucket`, an optional `prefix` inside it.
        case s3(endpoint: String, bucket: String, prefix: String)
        /// A local directory (absolute).
        case local(path: String)
    }

    public var repository: Repository
    /// The restic repository password's variable name.
    public var passwordEnv: String
    /// The S3 key pair's variable names (S3 only).
    public var accessKeyEnv: String = "AWS_ACCESS_KEY_ID"
    public var secretKeyEnv: String = "AWS_SECRET_ACCESS_KEY"
    /// The values, when the loader found them (nil: not set; `berth backup` says which name is missing).
    public var credentials: [String: SecretValue] = [:]
    /// The default schedule of the projects' backups (5-field cron).
    public var schedule: String = "0 3 * * *"
    public var retention = BackupRetention()
    public var webhook: BackupWebhook?
    /// How long one restic command may take before it is stopped (unreachable servers are retried by restic).
    public var timeout: TimeSpan = .seconds(3600)
    public var location: Location

    public init(repository: Repository, passwordEnv: String, location: Location) {
        self.repository = repository
        self.passwordEnv = passwordEnv
        self.location = location
    }

    /// restic's repository string (never holds a secret).
    public var resticRepository: String {
        switch repository {
        case .s3(let endpoint, let bucket, let prefix):
            return "s3:\(endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint)/\(bucket)\(prefix.isEmpty ? "" : "/\(prefix)")"
        case .local(let path): return path
        }
    }

    /// The variable names the repository needs.
    public var credentialNames: [String] {
        if case .s3 = repository { return [passwordEnv, accessKeyEnv, secretKeyEnv] }
        return [passwordEnv]
    }
}

/// restic's keep rules, applied per volume/database (tags platform/project/target). A snapshot kept by
/// any rule stays. All nil: nothing is forgotten.
public struct BackupRetention: Sendable, Hashable, Codable {
    public var keepLast: Int?
    public var keepDaily: Int?
    public var keepWeekly: Int?
    public var keepMonthly: Int?

    public init(keepLast: Int? = nil, keepDaily: Int? = nil, keepWeekly: Int? = nil, keepMonthly: Int? = nil) {
        self.keepLast = keepLast
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
    }

    public var isEmpty: Bool { keepLast == nil && keepDaily == nil && keepWeekly == nil && keepMonthly == nil }
}

/// POSTs a JSON result: always on failure, on success only with `on_success: true`.
public struct BackupWebhook: Sendable, Hashable {
    public var url: String
    public var onSuccess: Bool = false

    public init(url: String, onSuccess: Bool = false) {
        self.url = url
        self.onSuccess = onSuccess
    }
}

/// `backups` in project.yml: which named volumes and databases are backed up, and when.
public struct BackupProjectConfig: Sendable, Hashable {
    public var schedule: String?
    public var volumes: [BackupVolume] = []
    public var databases: [BackupDatabase] = []
    public var location: Location

    public init(location: Location) { self.location = location }
}

public struct BackupVolume: Sendable, Hashable {
    /// The volume's key in compose.yml.
    public var name: String
    /// Stop the services that mount it during the copy (a consistent copy), start them again after.
    public var stop: Bool = false
    public var location: Location

    public init(name: String, stop: Bool = false, location: Location) {
        self.name = name
        self.stop = stop
        self.location = location
    }
}

/// A database engine Berth can dump and restore. Only PostgreSQL for now; MySQL/MariaDB and Redis fit the same shape.
public enum DatabaseKind: String, Sendable, Hashable, Codable, CaseIterable {
    case postgres
}

public struct BackupDatabase: Sendable, Hashable {
    public var kind: DatabaseKind = .postgres
    /// The compose service that runs the database (the dump runs inside its container).
    public var service: String
    public var database: String
    public var user: String
    public var location: Location

    public init(kind: DatabaseKind = .postgres, service: String, database: String, user: String, location: Location) {
        self.kind = kind
        self.service = service
        self.database = database
        self.user = user
        self.location = location
    }
}
