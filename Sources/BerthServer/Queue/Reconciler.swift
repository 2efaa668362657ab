import Foundation
import Logging
import ServiceLifecycle

/// `berth serve --reconcile 5m`: every interval, plans the whole platform against the Docker host (no lock,
/// nothing changed) and, when it has drifted from the repository (a container removed or changed by hand,
/// a commit pulled into the repository), queues a deploy of every project as `reconciler`. It queues
/// nothing while another task is queued or running: that one converges the platform, or the next round will.
public struct Reconciler: Service {
    public let queue: TaskQueue
    public let store: any TaskStore
    public let interval: Duration
    /// Whether the platform differs from the repository (the engine's plan has changes).
    let drifted: @Sendable () async throws -> Bool
    let logger: Logger

    public init(queue: TaskQueue, store: any TaskStore, interval: Duration, logger: Logger = Logger(label: "berth.reconciler"),
                drifted: @escaping @Sendable () async throws -> Bool) {
        self.queue = queue
        self.store = store
        self.interval = interval
        self.logger = logger
        self.drifted = drifted
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: interval)  // cancelled sleep: the loop condition ends it
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            do {
                if let task = try await round() {
                    logger.notice("the platform drifted from the repository; queued a deploy", metadata: ["task": "\(task.id)"])
                }
            } catch {
                logger.warning("drift check failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One check; the task it queued, if any. Exposed for tests.
    public func round() async throws -> DeployTask? {
        guard try await store.activeTasks().isEmpty, try await drifted() else { return nil }
        var task = DeployTask(projects: nil, createdBy: Self.tokenName)
        task.message = "queued: the platform drifted from the repository"
        return try await queue.enqueue(task)
    }

    /// The name the reconciler's tasks carry in `created_by`.
    public static let tokenName = "reconciler"
}
