import BerthConfig
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the repository's backup schedules (`backups.schedule` of platform.yml, or of a project's project.yml):
/// when a project's schedule comes due, a `backup` task of the project is queued as `scheduler`. As a task it
/// waits for a running deploy of the project to end (and a deploy waits for it), shows in `/v1/tasks` with its
/// result per volume and database, and a failure is a failed task — counted in `/metrics` and sent to the
/// backup webhook by the runner. A run missed while the daemon was down is not made up for; the next one
/// comes at its time. A schedule that changes takes effect at once.
public final class BackupScheduler: Service, Sendable {
    public let queue: TaskQueue
    /// Each project with backups, with its schedule (read from the repository on every round).
    let schedules: @Sendable () throws -> [String: CronSchedule]
    let tick: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    /// Per project: the schedule's text and its next run.
    private let next = Mutex<[String: (schedule: String, at: Date?)]>([:])

    public init(queue: TaskQueue, tick: Duration = .seconds(1), now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "berth.backups"), schedules: @escaping @Sendable () throws -> [String: CronSchedule]) {
        self.queue = queue
        self.tick = tick
        self.now = now
        self.logger = logger
        self.schedules = schedules
    }

    public func run() async throws {
        _ = try? await round()  // the first round sets every project's next run
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: tick)  // cancelled sleep: the loop condition ends it
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            do {
                for task in try await round() {
                    logger.info("a backup schedule came due; queued its backup", metadata: ["task": "\(task.id)", "project": "\(task.projects?.first ?? "")"])
                }
            } catch {
                logger.warning("reading the backup schedules failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One look at the clock: queues the backup of every project whose next run has come; returns those
    /// tasks. A project seen for the first time (or whose schedule changed) gets its next run and waits for it.
    public func round() async throws -> [DeployTask] {
        let wanted = try schedules()
        let time = now()
        var due: [(String, CronSchedule)] = []
        next.withLock { next in
            next = next.filter { wanted[$0.key] != nil }
            for (project, schedule) in wanted {
                guard let entry = next[project], entry.schedule == schedule.description else {
                    next[project] = (schedule.description, schedule.next(after: time))
                    continue
                }
                guard let at = entry.at, time >= at else { continue }
                due.append((project, schedule))
                next[project] = (schedule.description, schedule.next(after: time))
            }
        }
        var queued: [DeployTask] = []
        for (project, schedule) in due.sorted(by: { $0.0 < $1.0 }) {
            var task = DeployTask(kind: .backup, projects: [project], createdBy: Self.tokenName)
            task.message = "queued: the backup schedule '\(schedule.description)' came due"
            queued.append(try await queue.enqueue(task))
        }
        return queued
    }

    /// When `project` runs next (nil: not scheduled, or not yet seen).
    public func nextRun(of project: String) -> Date? { next.withLock { $0[project]?.at } }

    /// The name the scheduler's tasks carry in `created_by`.
    public static let tokenName = "scheduler"
}
