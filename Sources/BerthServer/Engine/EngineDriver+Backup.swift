import BerthBackup
import BerthConfig
import BerthEngine
import Foundation
import Synchronization

extension EngineDriver {
    /// A backup task: every volume and database its projects back up (`backups` of project.yml), one after
    /// the other, as `berth backup run` does — each read back before it counts, recorded, thinned out by the
    /// retention rules and reported to the backup webhook by the runner. It holds the deploy lock with the
    /// daemon's other tasks (the queue keeps a deploy of the same project out), so a `berth apply` from the
    /// command line waits for it. The task fails when any target failed; the others still ran.
    func backup(_ task: DeployTask, progress: @escaping @Sendable (DeployProgress) -> Void) async throws -> DeployResult {
        let repository: Repository
        do { repository = try self.repository() } catch {
            return DeployResult(succeeded: false, message: "the configuration is invalid; nothing was backed up:\n\(error)", projects: [])
        }
        let current = Mutex((project: "", step: 0, total: 0))
        let runner = BackupRunner(repository: repository, stateDirectory: stateDirectory, dockerHost: dockerHost) { line in
            let (project, step, total) = current.withLock { ($0.project, $0.step, $0.total) }
            progress(DeployProgress(phase: "backup", project: project, step: step, total: total, message: line))
        }
        let projects = task.projects ?? runner.projectsWithBackups
        var targets: [(project: String, target: BackupRunner.Target)] = []
        for project in projects {
            do { targets += try runner.targets(project: project).map { (project, $0) } } catch {
                return DeployResult(succeeded: false, message: "\(error); nothing was backed up", projects: [])
            }
        }
        guard !targets.isEmpty else {
            return DeployResult(succeeded: true, message: "nothing to back up: \(projects.joined(separator: ", ")) list no volume or database under backups",
                                projects: [])
        }
        current.withLock { $0.total = targets.count }
        let engine = ApplyEngine(runtime: try await runtime(), stateDirectory: stateDirectory)
        let lines = try await engine.withLock(repository.platform, wait: lockWait, session: session(repository.platform)) {
            () -> [(project: String, ok: Bool, line: String)] in
            var lines: [(project: String, ok: Bool, line: String)] = []
            for (project, target) in targets {
                try Task.checkCancellation()
                current.withLock { $0.project = project }
                let what = "\(target.kind.rawValue) \(target.name)"
                do {
                    let record = try await runner.run(project: project, target: target)
                    lines.append((project, true, "\(what): snapshot \(record.snapshot.map { String($0.prefix(8)) } ?? "?"), "
                        + "\(record.bytes.map { "\($0) bytes" } ?? "size unknown"), read back and matched in \(String(format: "%.1f", record.duration)) s"))
                } catch {
                    lines.append((project, false, "\(what): \(error)"))
                }
                let step = current.withLock { $0.step += 1; return $0.step }
                progress(DeployProgress(phase: "backup", project: project, step: step, total: targets.count,
                                        message: "\(what) \(lines.last?.ok == true ? "backed up" : "failed")"))
            }
            return lines
        }
        let outcomes = projects.map { project in
            let mine = lines.filter { $0.project == project }
            return ProjectOutcome(project: project, result: mine.allSatisfy(\.ok) ? "succeeded" : "failed", messages: mine.map(\.line))
        }
        let failed = lines.filter { !$0.ok }.count
        return DeployResult(succeeded: failed == 0,
                            message: failed == 0 ? "backed up \(lines.count) target(s) of \(projects.joined(separator: ", "))"
                                : "\(failed) of \(lines.count) backup(s) failed: \(lines.filter { !$0.ok }.map(\.line).joined(separator: "; "))",
                            projects: outcomes)
    }

    /// Each project with backups and its schedule, from the repository as it is now (for `BackupScheduler`).
    public func backupSchedules() throws -> [String: CronSchedule] {
        let repository = try repository()
        guard repository.platform.backups != nil else { return [:] }
        return try BackupRunner(repository: repository, stateDirectory: stateDirectory, dockerHost: dockerHost).schedules()
    }

    /// The records and the configured targets ("project/kind/target"), from one load of the repository:
    /// what `/metrics` exposes of the backups.
    public func backupMetricsInput() throws -> (records: [BackupRecord], targets: Set<String>) {
        let repository = try repository()
        let records = try records(of: repository)
        guard repository.platform.backups != nil else { return (records, []) }
        let runner = BackupRunner(repository: repository, stateDirectory: stateDirectory, dockerHost: dockerHost)
        var keys = Set<String>()
        for project in runner.projectsWithBackups {
            for target in try runner.targets(project: project) {
                keys.insert(ServerMetrics.targetKey(project: project, kind: target.kind, target: target.name))
            }
        }
        return (records, keys)
    }

    /// The platform's backup records, oldest first (failed ones included).
    public func backupRecords() throws -> [BackupRecord] { try records(of: try repository()) }

    private func records(of repository: Repository) throws -> [BackupRecord] {
        try BackupStore(stateDirectory: stateDirectory, platform: repository.platform.name).all()
    }
}
