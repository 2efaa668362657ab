import BerthConfig
import BerthPlan
import BerthRuntime
import Foundation

/// One apply at a time per platform on a Docker host. The lock is a container that is never started,
/// named `berth-<platform>-lock` and labelled with its holder: the engine reserves container names
/// atomically, so of several concurrent acquirers exactly one creates it. A holder on this machine
/// whose process is gone (e.g. killed with -9) is stale: that container — by its id, so that a lock
/// another process has just taken is never removed — is removed and the lock taken again.
struct DeployLock: Sendable {
    let name: String
    let runtime: any ContainerRuntime

    typealias Held = LockError

    static var hostname: String { ProcessInfo.processInfo.hostName }

    /// Takes the lock; returns the lock container's id (what `release` removes).
    func acquire(wait: TimeSpan?) async throws -> String {
        let deadline = ContinuousClock.now + .milliseconds(wait?.milliseconds ?? 0)
        while true {
            try Task.checkCancellation()
            do {
                return try await runtime.createLock(name, labels: [
                    Labels.managed: "true", Labels.role: ResourceRole.lock.rawValue,
                    "berth.lock.pid": String(getpid()), "berth.lock.host": Self.hostname,
                    "berth.lock.since": ISO8601DateFormatter().string(from: Date()),
                ])
            } catch is LockTaken {
                guard let holder = try await runtime.lock(name) else { continue }  // released meanwhile
                let pid = holder.labels["berth.lock.pid"] ?? "?"
                let host = holder.labels["berth.lock.host"] ?? "?"
                if host == Self.hostname, let p = Int32(pid), kill(p, 0) != 0, errno == ESRCH {
                    try await runtime.remove(holder.id)  // stale: its process is gone
                    continue
                }
                if ContinuousClock.now >= deadline {
                    throw Held(holder: "pid \(pid) on \(host) since \(holder.labels["berth.lock.since"] ?? "?")")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    func release(_ id: String) async throws {
        try await runtime.remove(id)
    }
}
