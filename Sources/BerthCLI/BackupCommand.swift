import ArgumentParser
import BerthBackup
import BerthConfig
import BerthEngine
import BerthRuntime
import Foundation

/// `berth backup run|list|restore|verify|forget`: restic backups of the volumes and databases listed
/// under `backups` in project.yml, into the repository of platform.yml's `backups`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up, list, restore, verify and thin out the projects' volumes and databases (restic).",
        discussion: """
            A backup counts only once restic lists its snapshot and its data has been read back and matched.
            Examples:
              berth backup run                          # every target of every project
              berth backup run notes --database notes
              berth backup list --json
              berth backup restore notes --volume data  # verified, then swapped in
              berth backup restore notes --database notes --to notes_copy
              berth backup verify                       # restore drill, scratch copies
              berth backup forget                       # apply backups.retention
            """,
        subcommands: [BackupRunCommand.self, BackupListCommand.self, BackupRestoreCommand.self, BackupVerifyCommand.self, BackupForgetCommand.self]
    )
}

/// Options every `berth backup` command shares: the repository, the state directory, Docker.
struct BackupOptions: ParsableArguments {
    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("docker-host"), help: "Docker engine address for the docker CLI (default DOCKER_HOST, then /var/run/docker.sock).")
    var dockerHost: String?

    @Option(name: .customLong("state-dir"), help: "Where Berth keeps its state; backup records are in <state-dir>/<platform>/backups (default BERTH_STATE_DIR or /var/lib/berth).")
    var stateDir: String?

    @Option(name: .customLong("wait-lock"), help: "Wait this long for a running apply to release the deploy lock (run and restore hold it).")
    var waitLock: TimeSpan?

    /// Runs `body` holding the platform's deploy lock: a backup that stops services, or a restore that
    /// swaps data, never races an apply.
    func locked<T: Sendable>(_ runner: BackupRunner, _ body: () async throws -> T) async throws -> T {
        let runtime: DockerRuntime
        do { runtime = try await DockerRuntime.connect(host: dockerHost) } catch { throw engineFailure(error) }
        let engine = ApplyEngine(runtime: runtime, stateDirectory: runner.stateDirectory)
        return try await engine.withLock(runner.repository.platform, wait: waitLock) { try await body() }
    }

    func runner() throws -> BackupRunner {
        let repository = try options.load()
        let state = URL(fileURLWithPath: stateDir ?? ProcessInfo.processInfo.environment["BERTH_STATE_DIR"] ?? "/var/lib/berth")
        return BackupRunner(repository: repository, stateDirectory: state, dockerHost: dockerHost) { line in
            Terminal.standardError(line)
        }
    }
}

/// `--volume V | --database D`, at most one.
struct BackupTargetOptions: ParsableArguments {
    @Option(help: "Only this volume (its key in compose.yml).")
    var volume: String?

    @Option(help: "Only this database (its name).")
    var database: String?

    func validate() throws {
        if volume != nil && database != nil { throw ValidationError("give --volume or --database, not both") }
    }
}

struct BackupRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Back up now, read back, record, apply retention.")

    @OptionGroup var backup: BackupOptions
    @OptionGroup var target: BackupTargetOptions

    @Argument(help: "The project (default: every project with backups).")
    var project: String?

    @Flag(help: "Print the records as JSON.")
    var json = false

    func validate() throws {
        if project == nil && (target.volume != nil || target.database != nil) { throw ValidationError("--volume and --database need a PROJECT") }
    }

    func run() async throws {
        let runner = try backup.runner()
        let records: [BackupRecord]
        if let project, target.volume != nil || target.database != nil {
            do {
                records = [try await backup.locked(runner) { try await runner.run(project: project, volume: target.volume, database: target.database) }]
            } catch let error as BackupRunError {
                if json { try printJSON([error.record]) }
                throw error
            }
        } else {
            records = try await backup.locked(runner) { try await runner.runAll(project: project) }
        }
        if json { try printJSON(records) } else {
            for r in records { print(BackupListCommand.line(r)) }
        }
        let failed = records.filter { $0.state == .failed }
        if records.isEmpty { Terminal.standardError("nothing to back up: no project lists volumes or databases under backups") }
        if !failed.isEmpty {
            for r in failed { Terminal.standardError("error: backup of \(r.project)/\(r.target) failed: \(r.error?.message ?? "?")") }
            throw BerthExit(.failure)
        }
    }
}

struct BackupListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The recorded backups, oldest first.")

    @OptionGroup var backup: BackupOptions

    @Flag(help: "Print the records as JSON.")
    var json = false

    func run() async throws {
        let records = try backup.runner().store.all()
        if json { try printJSON(records); return }
        if records.isEmpty { print("No backups recorded."); return }
        for r in records { print(Self.line(r)) }
    }

    static func line(_ r: BackupRecord) -> String {
        let when = ISO8601DateFormatter().string(from: r.startedAt)
        let what = "\(r.project)/\(r.kind.rawValue)/\(r.target)"
        if r.state == .failed { return "\(when)  \(what)  FAILED  \(r.error?.message ?? "")" }
        let size = r.bytes.map { ByteCountFormatter.string(fromByteCount: $0, countStyle: .binary) } ?? "?"
        let detail = r.kind == .volume ? "\(r.files ?? 0) files" : "\(r.tables?.count ?? 0) tables, \(r.tables?.reduce(0) { $0 + $1.rows } ?? 0) rows"
        return "\(when)  \(what)  succeeded  snapshot \(r.snapshot?.prefix(8) ?? "?")  \(size)  \(detail)  \(String(format: "%.1f", r.duration)) s\(r.forgotten == true ? "  (forgotten)" : "")"
    }
}

struct BackupRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore into a new volume/database, verify it against the record, then swap it in (or only beside, with --to).")

    @OptionGroup var backup: BackupOptions
    @OptionGroup var target: BackupTargetOptions

    @Argument(help: "The project.")
    var project: String

    @Option(help: "The snapshot (an id or its prefix; default: the newest succeeded backup).")
    var snapshot: String?

    @Option(help: "Restore into this new volume/database and swap nothing.")
    var to: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if target.volume == nil && target.database == nil { throw ValidationError("give --volume V or --database D") }
    }

    func run() async throws {
        let runner = try backup.runner()
        let t = try runner.targets(project: project, volume: target.volume, database: target.database)[0]
        let mode: BackupRunner.RestoreMode = to.map { .beside($0) } ?? .swap
        let report = try await backup.locked(runner) { try await runner.restore(project: project, target: t, snapshot: snapshot, mode: mode) }
        if json { try printJSON(report); return }
        if report.swapped {
            print("Restored \(project)/\(report.target) from snapshot \(report.snapshot.prefix(8)): verified, swapped in; the previous data is kept as \(report.previousKeptAs ?? "?").")
        } else {
            print("Restored \(project)/\(report.target) from snapshot \(report.snapshot.prefix(8)) into \(report.restoredInto): verified; nothing was swapped.")
        }
    }
}

struct BackupVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Restore drill: the newest backup of each target into a scratch copy, compared with its record, then removed.")

    @OptionGroup var backup: BackupOptions
    @OptionGroup var target: BackupTargetOptions

    @Argument(help: "The project (default: every project with backups).")
    var project: String?

    @Flag(help: "Print the reports as JSON.")
    var json = false

    func run() async throws {
        let reports = try await backup.runner().verifyAll(project: project, volume: target.volume, database: target.database)
        if json { try printJSON(reports) } else {
            for r in reports {
                if let error = r.error { print("\(r.project)/\(r.kind.rawValue)/\(r.target)  FAILED  \(error.message)"); continue }
                let detail = r.kind == .volume ? "\(r.files ?? 0) files" : "\(r.tables?.count ?? 0) tables, \(r.tables?.reduce(0) { $0 + $1.rows } ?? 0) rows"
                print("\(r.project)/\(r.kind.rawValue)/\(r.target)  verified  snapshot \(r.snapshot.prefix(8))  \(detail)  \(String(format: "%.1f", r.duration)) s")
            }
        }
        if reports.contains(where: { !$0.verified }) { throw BerthExit(.failure) }
    }
}

struct BackupForgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "forget", abstract: "Apply backups.retention (keep_last/daily/weekly/monthly) per volume and database.")

    @OptionGroup var backup: BackupOptions

    @Argument(help: "The project (default: every project with backups).")
    var project: String?

    @Flag(help: "Print the reports as JSON.")
    var json = false

    func run() async throws {
        let reports = try await backup.runner().forgetAll(project: project)
        if json { try printJSON(reports); return }
        for r in reports {
            print("\(r.project)/\(r.kind.rawValue)/\(r.target)  kept \(r.kept.count)  forgot \(r.forgotten.count)\(r.forgotten.isEmpty ? "" : ": " + r.forgotten.map { String($0.prefix(8)) }.joined(separator: " "))")
        }
    }
}

private func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try BackupStore.encoder.encode(value), as: UTF8.self))
}
