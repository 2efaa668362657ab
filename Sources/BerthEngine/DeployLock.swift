import BerthConfig
import BerthPlan
import Foundation

/// One apply at a time per Docker host. The lock is a configuration-only Docker network named
/// `berth-lock` (no bridge; creating an existing name fails atomically), labelled with its holder. A holder on this machine whose process
/// is gone (e.g. killed with -9) is stale, and the lock is taken over.
struct DeployLock: Sendable {
    static let name = "berth-lock"
    let runtime: any ContainerRuntime

    struct Held: Error, CustomStringConvertible {
        var holder: String
        var description: String {
            "another berth apply holds the deploy lock (\(holder)); wait for it, or pass --wait-lock 5m"
        }
    }

    static var hostname: String { ProcessInfo.processInfo.hostName }

    func acquire(wait: TimeSpan?) async throws {
        let deadline = ContinuousClock.now + .milliseconds(wait?.milliseconds ?? 0)
        while true {
            do {
                try await runtime.createMarkerNetwork(Self.name, labels: [
                    Labels.managed: "true", Labels.role: "lock",
                    "berth.lock.pid": String(getpid()), "berth.lock.host": Self.hostname,
                    "berth.lock.since": ISO8601DateFormatter().string(from: Date()),
                ])
                return
            } catch {
                let holder = try await currentHolder()
                if let holder, holder.host == Self.hostname, let pid = Int32(holder.pid), kill(pid, 0) != 0, errno == ESRCH {
                    try? await runtime.removeNetwork(Self.name)  // stale: its process is gone
                    continue
                }
                guard holder != nil else {
                    // Creating failed for another reason (or the holder just left): retry, not in a busy loop.
                    if ContinuousClock.now >= deadline { throw error }
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                if ContinuousClock.now >= deadline {
                    throw Held(holder: "pid \(holder!.pid) on \(holder!.host) since \(holder!.since)")
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    func release() async {
        try? await runtime.removeNetwork(Self.name)
    }

    private func currentHolder() async throws -> (pid: String, host: String, since: String)? {
        guard let lock = try await runtime.networkLabels(Self.name) else { return nil }
        return (lock["berth.lock.pid"] ?? "?", lock["berth.lock.host"] ?? "?", lock["berth.lock.since"] ?? "?")
    }
}
