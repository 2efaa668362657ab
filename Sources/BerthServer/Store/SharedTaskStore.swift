import Foundation

/// A store that several daemons share (PostgreSQL): the store itself decides which daemon runs which task.
/// A claim gives the task a lease and a new attempt number; the daemon renews the lease while the task runs.
/// When a lease expires (its daemon died), another daemon's claim takes the task over with the next attempt,
/// and every write of the older attempt (`update`, `append` of an event carrying it) fails with
/// `StoreError.fenced`. No two running tasks share a project: the store enforces it, across daemons.
public protocol SharedTaskStore: TaskStore {
    /// The next task that may run (queued, or running with an expired lease), marked `running` with
    /// `attempt + 1`, `runner = owner` and a lease of `lease`; nil when none may run now.
    func claim(owner: String, lease: Duration) async throws -> DeployTask?
    /// Extends the lease of `id` while `attempt` is still its attempt; false when the task was taken over or ended.
    func renew(_ id: String, attempt: Int, lease: Duration) async throws -> Bool
    /// Asks the daemon that runs `id` to cancel it (it reads the request when it renews the lease); false when
    /// the task is not running.
    func requestCancel(_ id: String, by who: String) async throws -> Bool
    /// Who asked to cancel `id` at `attempt` (nil: nobody).
    func cancelRequest(_ id: String, attempt: Int) async throws -> String?
    /// Returns when an event was appended by any daemon (LISTEN/NOTIFY), or after `timeout`.
    func waitForEvents(timeout: Duration) async
}
