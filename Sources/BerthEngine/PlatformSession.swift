import BerthConfig
import BerthPlan
import BerthRuntime
import Foundation
import Logging

/// Several applies of one platform at once in one process: the daemon's workers, each deploying its own
/// projects. Alone, an apply holds the platform's deploy lock for its whole run and pushes a route table of
/// its own. Applies that pass the same session (`ApplyOptions.session`) share instead:
/// - the deploy lock: taken by the first, released when the last one ends, so other processes (`berth
///   apply`, another daemon) still wait for all of them;
/// - one route table: every push carries the routes of every apply in flight, so that one apply's switch
///   never withdraws the new replicas another one has just switched to;
/// - the proxy's set-up (create, recreate, connect networks): one apply at a time.
/// The caller keeps their projects disjoint (the daemon's queue runs one task per project at a time).
public actor PlatformSession {
    private var holders = 0
    private var lockID: String?
    private var acquiring: Task<String, any Error>?
    private var table: RouteTable?
    private let proxyGate = AsyncGate()
    private let logger: Logger

    public init(logger: Logger = ApplyEngine.silentLogger) { self.logger = logger }

    /// Applies in flight (holders of the shared lock).
    public var active: Int { holders }

    /// Joins the session's hold of the deploy lock, taking it when no apply of the session holds it.
    func enter(_ lock: DeployLock, wait: TimeSpan?) async throws {
        while true {
            if holders > 0 {
                holders += 1
                return
            }
            guard let task = acquiring else {
                acquiring = Task { try await lock.acquire(wait: wait) }
                continue
            }
            do {
                let id = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
                // The first waiter to resume records the hold; the others find it held (or, if it was already
                // released again, take it anew).
                if acquiring == task {
                    acquiring = nil
                    lockID = id
                    holders = 1
                    return
                }
            } catch {
                if acquiring == task { acquiring = nil }
                // Another waiter's cancellation stopped the shared attempt: this one tries again.
                if error is CancellationError, !Task.isCancelled { continue }
                throw error
            }
        }
    }

    /// Leaves the hold; the last one out releases the lock and forgets the route table (the next apply
    /// starts from what the proxy routes then).
    func leave(_ lock: DeployLock) async throws {
        holders -= 1
        guard holders == 0, let id = lockID else { return }
        lockID = nil
        table = nil
        try await lock.release(id)
    }

    /// The shared route table: `make()`'s when no apply in flight has one; otherwise the one in use, which
    /// takes over this apply's view of `projects` (its routes, upstreams and replica addresses).
    func routeTable(projects: [String], desired: DesiredState, upstreams: [String: [String]],
                    addresses: [String: [String: String]], make: @Sendable () -> RouteTable) async -> RouteTable {
        if let table {
            await table.adopt(desired, projects: projects, upstreams: upstreams, addresses: addresses)
            return table
        }
        let made = make()
        table = made
        return made
    }

    /// Waits until no other apply of the session sets up the proxy.
    public func beginProxyWork() async { await proxyGate.acquire() }

    public func endProxyWork() { proxyGate.release() }
}

extension ApplyEngine {
    /// `withLock`, shared with the other applies of `session` (see `PlatformSession`); without a session,
    /// the lock is this apply's own.
    public func withLock<T: Sendable>(_ platform: PlatformConfig, wait: TimeSpan?, session: PlatformSession?,
                                      _ body: () async throws -> T) async throws -> T {
        guard let session else { return try await withLock(platform, wait: wait, body) }
        let lock = DeployLock(name: platform.lockName, runtime: runtime)
        try await session.enter(lock, wait: wait)
        events(ApplyEvent(.lockAcquired, message: platform.lockName))
        // Left in a task of its own: a cancelled apply still lets go of the lock.
        let leave = { @Sendable [logger] in
            do { try await Task { try await session.leave(lock) }.value } catch {
                logger.error("releasing the deploy lock \(platform.lockName) failed: \(error)")
            }
        }
        let result: T
        do {
            result = try await body()
        } catch {
            await leave()
            throw error
        }
        await leave()
        events(ApplyEvent(.lockReleased, message: platform.lockName))
        return result
    }
}
