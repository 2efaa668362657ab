import BerthConfig
import Foundation

/// Backs up, restores, verifies and thins out a platform's volumes and databases (`backups` of
/// platform.yml and project.yml) with restic. The library API `berth backup` and `berth serve` call.
///
/// A backup counts only after its snapshot is listed by `restic snapshots` and its data has been read
/// back: a volume's snapshot is restored into a scratch directory and its TreeDigest computed (and
/// compared with the live files when the services were stopped); a database dump is read back with
/// `restic dump` and must hash to what pg_dump streamed.
public struct BackupRunner: Sendable {
    public let repository: Repository
    public let stateDirectory: URL
    public let dockerHost: String?
    /// Progress lines for people (never a secret).
    public var log: @Sendable (String) -> Void

    public init(repository: Repository, stateDirectory: URL, dockerHost: String? = nil, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.repository = repository
        self.stateDirectory = stateDirectory
        self.dockerHost = dockerHost
        self.log = log
    }

    var platformName: String { repository.platform.name }
    public var store: BackupStore { BackupStore(stateDirectory: stateDirectory, platform: platformName) }
    var work: URL { stateDirectory.appendingPathComponent(platformName).appendingPathComponent("backups") }

    func config() throws -> BackupPlatformConfig {
        guard let config = repository.platform.backups else {
            throw BackupError(.backupNotConfigured, "platform.yml has no 'backups' repository", hint: "add backups: {s3: {endpoint, bucket, prefix}, password_env: …} (docs/config.md, 'backups')")
        }
        return config
    }

    var timeout: Duration { .milliseconds(Int64((repository.platform.backups?.timeout ?? .seconds(3600)).milliseconds)) }
    var runner: ProcessRunner { ProcessRunner(timeout: timeout, scratch: work.appendingPathComponent("tmp")) }
    var docker: DockerCLI { DockerCLI(host: dockerHost, runner: ProcessRunner(timeout: .seconds(120), scratch: work.appendingPathComponent("tmp"))) }
    func restic() throws -> Restic { Restic(config: try config(), runner: runner, cacheDirectory: work.appendingPathComponent("cache")) }

    /// One configured target: a volume or a database of a project.
    public enum Target: Sendable, Hashable {
        case volume(BackupVolume)
        case database(BackupDatabase)
        public var kind: BackupTargetKind { if case .volume = self { return .volume } else { return .database } }
        public var name: String {
            switch self {
            case .volume(let v): v.name
            case .database(let d): d.database
            }
        }
    }

    func project(_ name: String) throws -> Project {
        guard let project = repository.projects.first(where: { $0.name == name }) else {
            throw BackupError(.backupNotConfigured, "there is no project '\(name)'\(Suggestion.hint(for: name, in: repository.projects.map(\.name)))")
        }
        return project
    }

    /// The targets of a project, all or the one named.
    public func targets(project name: String, volume: String? = nil, database: String? = nil) throws -> [Target] {
        let project = try project(name)
        let backups = project.config.backups ?? BackupProjectConfig(location: Location(file: "projects/\(name)/project.yml"))
        if let volume {
            guard let v = backups.volumes.first(where: { $0.name == volume }) else {
                throw BackupError(.backupNotConfigured, "project '\(name)' backs up no volume '\(volume)'\(Suggestion.hint(for: volume, in: backups.volumes.map(\.name)))",
                                  hint: "list it under backups.volumes in projects/\(name)/project.yml")
            }
            return [.volume(v)]
        }
        if let database {
            guard let d = backups.databases.first(where: { $0.database == database }) else {
                throw BackupError(.backupNotConfigured, "project '\(name)' backs up no database '\(database)'\(Suggestion.hint(for: database, in: backups.databases.map(\.database)))",
                                  hint: "list it under backups.databases in projects/\(name)/project.yml")
            }
            return [.database(d)]
        }
        return backups.volumes.map(Target.volume) + backups.databases.map(Target.database)
    }

    /// The projects with a `backups` section.
    public var projectsWithBackups: [String] {
        repository.projects.filter { p in p.config.backups.map { !($0.volumes.isEmpty && $0.databases.isEmpty) } ?? false }.map(\.name)
    }

    /// When a project's backups run (5-field cron or @daily…): its own `backups.schedule`, else the
    /// platform's default; nil when the project backs up nothing (for `berth serve`'s scheduler).
    public func schedule(project name: String) -> String? {
        guard let project = repository.projects.first(where: { $0.name == name }), let backups = project.config.backups,
              !(backups.volumes.isEmpty && backups.databases.isEmpty), let platform = repository.platform.backups else { return nil }
        return backups.schedule ?? platform.schedule
    }

    /// Every project with backups and its parsed schedule, for `BackupScheduler`. The texts were checked
    /// when the repository was loaded (a bad one is a configuration error), so none is left out here.
    public func schedules() throws -> [String: CronSchedule] {
        var result: [String: CronSchedule] = [:]
        for name in projectsWithBackups {
            guard let text = schedule(project: name) else { continue }
            do { result[name] = try CronSchedule(parsing: text) } catch {
                throw BackupError(.backupNotConfigured, "the backup schedule '\(text)' of project '\(name)' is invalid: \(error.description)")
            }
        }
        return result
    }

    /// The Docker name of a project's volume (compose `name`, else `<project>_<key>`).
    func volumeName(_ project: Project, _ key: String) -> String {
        project.compose.volumes[key]?.name ?? "\(project.name)_\(key)"
    }

    /// The running container of a database's service.
    func databaseContainer(_ project: Project, _ database: BackupDatabase) async throws -> Postgres {
        let containers = try await docker.projectContainers(platform: platformName, project: project.name).filter { $0.service == database.service }
        guard let container = containers.first else {
            throw BackupError(.backupTargetMissing, "service '\(database.service)' of project '\(project.name)' has no running container (database \(database.database))",
                              hint: "start it with berth apply --project \(project.name)")
        }
        return Postgres(docker: docker, container: container.id, user: database.user)
    }

    /// Backs up one volume or database (exactly one of `volume`, `database`), reads it back, records it,
    /// applies retention to that target and notifies the webhook. A failure is recorded, notified and thrown.
    public func run(project: String, volume: String? = nil, database: String? = nil) async throws -> BackupRecord {
        guard (volume == nil) != (database == nil) else {
            throw BackupError(.backupNotConfigured, "give exactly one of volume and database")
        }
        let target = try targets(project: project, volume: volume, database: database)[0]
        return try await run(project: project, target: target)
    }

    /// Backs up every target of `project` (or of every project), one after the other; a failure does not
    /// stop the others. Returns each record (failed ones included).
    public func runAll(project: String?) async throws -> [BackupRecord] {
        let projects = project.map { [$0] } ?? projectsWithBackups
        var records: [BackupRecord] = []
        for name in projects {
            for target in try targets(project: name) {
                do {
                    records.append(try await run(project: name, target: target))
                } catch let error as BackupRunError {
                    records.append(error.record)
                }
            }
        }
        return records
    }

    public func run(project name: String, target: Target) async throws -> BackupRecord {
        let started = Date(), clock = ContinuousClock.now
        let id = Self.recordID(started, project: name, target: target.name)
        var record = BackupRecord(id: id, platform: platformName, project: name, kind: target.kind, target: target.name, state: .failed, startedAt: started, duration: 0)
        do {
            let config = try config()
            let project = try project(name)
            let listing: [Restic.Snapshot]
            switch target {
            case .volume(let volume): listing = try await backupVolume(project, volume, into: &record)
            case .database(let database): listing = try await backupDatabase(project, database, into: &record)
            }
            record.state = .succeeded
            record.duration = (ContinuousClock.now - clock).inSeconds
            try store.save(record)
            log("\(name)/\(target.name): backed up as snapshot \(record.snapshot?.prefix(8) ?? "?") (\(record.bytes ?? 0) bytes, read back and matched) in \(String(format: "%.1f", record.duration)) s")
            do {
                _ = try await forget(project: name, target: target, policy: config.retention, listed: listing)
            } catch {
                throw BackupError(.resticFailed, "the backup of \(name)/\(target.name) succeeded (snapshot \(record.snapshot?.prefix(8) ?? "?")), but applying the retention failed: \(BackupFailure(error).message)")
            }
            if let webhook = config.webhook, webhook.onSuccess { await notify(webhook, record) }
            return record
        } catch {
            record.state = .failed
            record.duration = (ContinuousClock.now - clock).inSeconds
            record.error = BackupFailure(error)
            do { try store.save(record) } catch { log("cannot record the failure: \(BackupFailure(error).message)") }
            if let webhook = repository.platform.backups?.webhook { await notify(webhook, record) }
            throw BackupRunError(record: record, error: error)
        }
    }

    static func recordID(_ date: Date, project: String, target: String) -> String {
        "\(timestamp(date))-\(project)-\(target)-\(UUID().uuidString.prefix(6).lowercased())"
    }

    /// `20261201T223000Z` (UTC).
    static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }
}

/// A failed backup: the error, with the record that was written for it.
public struct BackupRunError: BerthError, Sendable {
    public var record: BackupRecord
    public var error: any Error & Sendable
    var inner: any BerthError { (error as? any BerthError) ?? BackupError(.internalError, "\(error)") }
    public var domain: ErrorDomain { inner.domain }
    public var code: ErrorCode { inner.code }
    public var cause: String { "backup of \(record.project)/\(record.target) failed: \(inner.cause)" }
    public var hint: String? { inner.hint }
    public var description: String { hint.map { "\(cause); \($0)" } ?? cause }
}
