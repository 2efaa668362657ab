import BerthConfig
@testable import BerthServer
import Foundation
import Synchronization
import Testing

@Suite("Backup schedules in the daemon")
struct BackupSchedulerTests {
    @Test func aDueScheduleQueuesOneBackupTaskPerProjectAndThenWaitsForTheNextRun() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store, maxParallel: 2)
            let clock = Mutex(ISO8601DateFormatter().date(from: "2026-12-01T02:59:00Z")!)
            let schedules = Mutex(["db": try CronSchedule(parsing: "0 3 * * *"), "files": try CronSchedule(parsing: "@every 10m")])
            let scheduler = BackupScheduler(queue: queue, now: { clock.withLock { $0 } }) { schedules.withLock { $0 } }
            func advance(_ seconds: Double) { clock.withLock { $0 = $0.addingTimeInterval(seconds) } }

            #expect(try await scheduler.round().isEmpty, "the first round only sets the next runs")
            #expect(scheduler.nextRun(of: "db") == ISO8601DateFormatter().date(from: "2026-12-01T03:00:00Z"))
            advance(59)
            #expect(try await scheduler.round().isEmpty)
            advance(1)
            let due = try await scheduler.round()
            #expect(due.map(\.kind) == [.backup] && due.first?.projects == ["db"] && due.first?.createdBy == "scheduler", "\(due)")
            #expect(due.first?.message.contains("'0 3 * * *' came due") == true)
            #expect(try await scheduler.round().isEmpty, "once per run")
            #expect(scheduler.nextRun(of: "db") == ISO8601DateFormatter().date(from: "2026-12-02T03:00:00Z"))
            advance(9 * 60)
            #expect(try await scheduler.round().map { $0.projects ?? [] } == [["files"]])

            // A changed schedule counts from now; a project whose backups went away is forgotten.
            schedules.withLock { $0 = ["db": try! CronSchedule(parsing: "@every 1m")] }
            #expect(try await scheduler.round().isEmpty)
            #expect(scheduler.nextRun(of: "files") == nil)
            advance(60)
            #expect(try await scheduler.round().map { $0.projects ?? [] } == [["db"]])
            let queued = try await store.tasks(state: .queued, project: nil, limit: 10)
            #expect(queued.count == 2 && queued.allSatisfy { $0.kind == .backup }, "the earlier db backup was replaced by the newer one (latest wins): \(queued)")
        }
    }
}
