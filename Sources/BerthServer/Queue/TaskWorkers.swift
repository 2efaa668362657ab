import Foundation
import Logging
import ServiceLifecycle

/// The daemon's workers, as one service of its `ServiceGroup`: claims tasks from the queue and runs each
/// with the runner, under a timeout. On graceful shutdown (SIGTERM) it claims nothing more — queued tasks
/// stay queued — and lets running tasks finish within `shutdownGrace`; those still running then are
/// cancelled and end `interrupted`, each with a fresh deploy queued for the next start.
public struct TaskWorkers: Service {
    public let queue: TaskQueue
    public let runner: any DeployRunner
    public let timeout: Duration
    public let shutdownGrace: Duration
    public let metrics: ServerMetrics?
    let logger: Logger
    /// Called once the workers have stopped (the daemon then ends its long-lived streams).
    let onShutdown: @Sendable () -> Void

    public init(queue: TaskQueue, runner: any DeployRunner, timeout: Duration, shutdownGrace: Duration,
                metrics: ServerMetrics? = nil, logger: Logger = Logger(label: "berth.workers"),
                onShutdown: @escaping @Sendable () -> Void = {}) {
        self.onShutdown = onShutdown
        self.queue = queue
        self.runner = runner
        self.timeout = timeout
        self.shutdownGrace = shutdownGrace
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        // Tasks run in unstructured tasks: the group's cancellation must not reach a running apply (it would
        // stop at once); `shutdown()` decides when they stop.
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try await claimAll()
            // Woken at once by a task queued or ended here; at least every 250 ms for the loop condition (a
            // graceful shutdown) and for tasks another process queued.
            await queue.waitForWork(upTo: .milliseconds(250))
        }
        await shutdown()
        onShutdown()
    }

    /// Starts every task that may run now. Exposed for tests that drive the queue step by step.
    public func claimAll() async throws {
        while let task = try await queue.claim() {
            await start(task)
        }
    }

    func start(_ task: DeployTask) async {
        let queue = queue, runner = runner, timeout = timeout, metrics = metrics, logger = logger
        let handle = Task<Void, Never> {
            let started = ContinuousClock.now
            let (updates, sink) = AsyncStream<DeployProgress>.makeStream(bufferingPolicy: .unbounded)
            let writer = Task {
                for await update in updates {
                    do { try await queue.progress(task.id, update) } catch {
                        logger.error("recording progress failed", metadata: ["task": "\(task.id)", "error": "\(error)"])
                    }
                }
            }
            let timer = Task {
                try await Task.sleep(for: timeout)
                try await queue.expire(task.id, after: timeout)
            }
            // A shared queue: the lease is renewed at a third of its length; a lost lease (another daemon took the
            // task over) stops this run.
            let renewer = Task {
                let every = queue.lease / 3
                while !Task.isCancelled {
                    try await Task.sleep(for: every)
                    do {
                        if try await !queue.renew(task.id) {
                            logger.warning("lease lost: another daemon took the task over; stopping this run", metadata: ["task": "\(task.id)"])
                            await queue.lose(task.id)
                            return
                        }
                        if let who = try await queue.cancelRequest(task.id) {
                            logger.info("cancel requested through another daemon", metadata: ["task": "\(task.id)", "by": "\(who)"])
                            _ = try await queue.cancel(task.id, by: who)
                        }
                    } catch {
                        logger.error("renewing the lease failed", metadata: ["task": "\(task.id)", "error": "\(error)"])
                    }
                }
            }
            let result: Result<DeployResult, any Error>
            do {
                result = .success(try await runner.run(task, progress: { sink.yield($0) }))
            } catch {
                result = .failure(error)
            }
            timer.cancel()
            renewer.cancel()
            sink.finish()
            await writer.value
            // Recorded in a task of its own: a cancelled run (cancel, timeout, shutdown) must still record its end,
            // and the store refuses work from a cancelled task.
            let recorded = Task { try await queue.finish(task.id, result: result) }
            do {
                if let final = try await recorded.value {
                    metrics?.taskFinished(final, duration: ContinuousClock.now - started)
                    logger.info("task finished", metadata: ["task": "\(task.id)", "state": "\(final.state.rawValue)"])
                }
            } catch {
                logger.error("recording the end of a task failed", metadata: ["task": "\(task.id)", "error": "\(error)"])
            }
        }
        await queue.attach(task.id, handle: handle)
    }

    /// Waits for running tasks up to the grace period, then interrupts the rest and waits for them to return.
    public func shutdown() async {
        let deadline = ContinuousClock.now + shutdownGrace
        while await queue.runningCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        guard await queue.runningCount > 0 else { return }
        logger.warning("shutting down: interrupting running tasks")
        await queue.interruptAll()
        let hard = ContinuousClock.now + .seconds(30)
        while await queue.runningCount > 0, ContinuousClock.now < hard {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
