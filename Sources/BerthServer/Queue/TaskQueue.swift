import Foundation

/// The task queue's rules, over a `TaskStore`: high priority before normal, oldest first; one running task
/// per project (a task of every project runs alone), at most `maxParallel` at once; a new queued deploy
/// replaces the queued ones it covers (latest wins); every state change is persisted with an event. A final
/// state's event is stored before the task row: whoever reads the row final finds the event too.
public actor TaskQueue {
    /// Why a running task is being stopped; decides its final state.
    enum StopReason: Sendable {
        case cancelled(by: String)
        case timedOut
        case shutdown
        /// Its lease was taken over by another daemon (shared queue): this daemon writes nothing more for it.
        case lost
    }

    public let store: any TaskStore
    public let maxParallel: Int
    /// Tasks claimed and not yet returned by their runner (a timed-out task stays here until it returns:
    /// it still holds its projects).
    private(set) var running: [String: DeployTask] = [:]
    private var handles: [String: Task<Void, Never>] = [:]
    private var stopReasons: [String: StopReason] = [:]
    /// Something may be claimable (a task was queued, claimed or ended here); setting it wakes the workers.
    private var dirty = true {
        didSet { if dirty { wakeups.notifyAll() } }
    }
    /// The workers' wake-up signal. Latching, with at most one pending: a burst of changes while the loop
    /// claims wakes its next wait once.
    private let wakeups = EventSignal(latching: true)
    /// Counts the tasks that ended here: the read side's status snapshot is taken anew after each.
    public private(set) var finishedCount = 0
    private var lastScan = ContinuousClock.now

    /// Set when the store is shared by several daemons (PostgreSQL): the store claims, and leases are renewed.
    let shared: (any SharedTaskStore)?
    /// This daemon's name in a shared store (who runs a task).
    public let owner: String
    /// How long a claim holds a task without renewal (shared store only).
    public let lease: Duration

    public init(store: any TaskStore, maxParallel: Int = 2, owner: String = TaskQueue.defaultOwner(), lease: Duration = .seconds(30)) {
        self.store = store
        self.maxParallel = max(1, maxParallel)
        self.shared = store as? any SharedTaskStore
        self.owner = owner
        self.lease = lease
    }

    /// `host:pid:random`, unique per daemon process.
    public static func defaultOwner() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8).lowercased())"
    }

    // MARK: queueing

    /// Queues `task`; queued tasks it supersedes end `cancelled`, naming it. Returns the stored task.
    @discardableResult
    public func enqueue(_ new: DeployTask) async throws -> DeployTask {
        var task = new
        let replaced = try await store.activeTasks().filter { $0.state == .queued && task.supersedes($0) }
        if replaced.contains(where: { $0.priority == .high }) { task.priority = .high }  // never lowers a queued high
        try await store.insert(task)
        try await store.append(TaskEvent(taskID: task.id, kind: .state, state: .queued, message: "queued"))
        for var old in replaced {
            old.state = .cancelled
            old.replacedBy = task.id
            old.finishedAt = Date()
            old.message = "replaced by the newer deploy \(task.id) (latest wins)"
            do {
                // Fenced at the queued task's attempt: a shared store refuses it when another daemon just claimed the task.
                try await store.append(TaskEvent(taskID: old.id, kind: .state, state: .cancelled, message: old.message,
                                                 attempt: shared == nil ? nil : old.attempt ?? 0))
                try await store.update(old)
            } catch let error as StoreError where error.code == .fenced {
                continue  // it runs now; the new deploy runs after it
            }
        }
        dirty = true
        return task
    }

    /// After a restart: every `running` task was left by a daemon that died; it becomes `interrupted` and a
    /// fresh deploy of its projects is queued so that the next run converges. Returns the fresh tasks.
    @discardableResult
    public func recover() async throws -> [DeployTask] {
        // A shared store: a running task may be another daemon's; an abandoned one is taken over when its lease expires.
        guard shared == nil else { return [] }
        var fresh: [DeployTask] = []
        for var task in try await store.activeTasks() where task.state == .running && running[task.id] == nil {
            let retry = DeployTask(kind: task.kind, projects: task.projects, force: task.force, priority: task.priority, createdBy: task.createdBy,
                                   retryOf: task.id)
            task.state = .interrupted
            task.finishedAt = Date()
            task.message = "the daemon stopped while this task ran; the deploy \(retry.id) was queued to converge"
            try await store.append(TaskEvent(taskID: task.id, kind: .state, state: .interrupted, message: task.message))
            try await store.update(task)
            fresh.append(try await enqueue(retry))
        }
        return fresh
    }

    /// The next task that may run now, marked `running`; nil when none may (nothing queued, every queued task
    /// shares a project with a running one, or `maxParallel` run). Reads the store only when something changed
    /// or a second passed (another process may have queued).
    public func claim() async throws -> DeployTask? {
        guard running.count < maxParallel else { return nil }
        guard dirty || ContinuousClock.now - lastScan > .seconds(1) else { return nil }
        dirty = false
        lastScan = .now
        if let shared {
            guard let task = try await shared.claim(owner: owner, lease: lease) else { return nil }
            if running[task.id] != nil {
                // Its own run's lease ran out before a renewal (a stalled machine) and this daemon took the task
                // over again: the run goes on, under the new attempt; a second run must not start.
                running[task.id] = task
                return nil
            }
            try await store.append(TaskEvent(taskID: task.id, kind: .state, state: .running, message: task.message, attempt: task.attempt))
            running[task.id] = task
            dirty = true
            return task
        }
        let queued = try await store.activeTasks().filter { $0.state == .queued }
        // Stable: within a priority, the store's order (oldest first).
        let ordered = queued.enumerated().sorted { ($0.element.priority.rank, $0.offset) < ($1.element.priority.rank, $1.offset) }.map(\.element)
        var blocked: [DeployTask] = []
        for candidate in ordered {
            // A task waits behind running tasks of its projects, and behind earlier queued ones that wait:
            // each project's deploys run in queue order.
            if running.values.contains(where: candidate.conflicts) || blocked.contains(where: candidate.conflicts) {
                blocked.append(candidate)
                continue
            }
            var task = candidate
            task.state = .running
            task.startedAt = Date()
            task.message = "running"
            task.attempt = (task.attempt ?? 0) + 1
            try await store.update(task)
            try await store.append(TaskEvent(taskID: task.id, kind: .state, state: .running, message: "running", attempt: task.attempt))
            running[task.id] = task
            dirty = true  // another may fit beside it
            return task
        }
        return nil
    }

    /// Returns when something may be claimable here, or after `limit` (another daemon, a timer). For the one
    /// loop that claims: the signal has a single consumer.
    func waitForWork(upTo limit: Duration) async {
        await wakeups.wait(timeout: limit)
    }

    func attach(_ id: String, handle: Task<Void, Never>) {
        if running[id] != nil { handles[id] = handle }
    }

    // MARK: progress and results

    public func progress(_ id: String, _ update: DeployProgress) async throws {
        guard let mine = running[id], var task = try await store.task(id), task.state == .running, task.attempt == mine.attempt else { return }
        task.step = update.step
        task.total = update.total
        task.percent = update.total > 0 ? min(100, update.step * 100 / update.total) : 0
        task.message = update.message
        task.phase = update.phase ?? task.phase
        try await store.update(task)
        try await store.append(TaskEvent(taskID: id, kind: .progress, phase: update.phase, project: update.project,
                                         service: update.service, step: task.step, total: task.total, percent: task.percent,
                                         message: update.message, attempt: mine.attempt))
    }

    /// The runner returned (or threw). Sets the final state unless the task already has one (timed out).
    public func finish(_ id: String, result: Result<DeployResult, any Error>) async throws -> DeployTask? {
        defer {
            running[id] = nil
            handles[id] = nil
            stopReasons[id] = nil
            dirty = true
            finishedCount += 1
        }
        let mine = running[id]
        // Another daemon took the task over (its attempt is newer): this run's end is not the task's.
        guard var task = try await store.task(id), !task.state.isFinal, task.attempt == mine?.attempt else { return nil }
        let reason = stopReasons[id]
        if case .lost? = reason { return nil }
        switch (result, reason) {
        case (_, .cancelled(let by)?):
            task.state = .cancelled
            task.message = "cancelled by \(by) while running; stopped at a safe point"
            if case .success(let r) = result { task.results = r.projects }
        case (_, .shutdown?):
            let retry = DeployTask(kind: task.kind, projects: task.projects, force: task.force, priority: task.priority, createdBy: task.createdBy, retryOf: task.id)
            task.state = .interrupted
            task.message = "the daemon shut down before this task finished; the deploy \(retry.id) was queued to converge"
            task.finishedAt = Date()
            try await store.append(TaskEvent(taskID: id, kind: .state, state: .interrupted, message: task.message, attempt: task.attempt))
            try await store.update(task)
            try await enqueue(retry)
            return task
        case (.success(let r), _):
            task.state = r.succeeded ? .succeeded : .failed
            task.results = r.projects
            task.message = r.message
            if r.succeeded { task.percent = 100 }
        case (.failure(let error), _):
            task.state = error is CancellationError ? .cancelled : .failed
            task.message = error is CancellationError ? "cancelled" : "\(error)"
        }
        task.finishedAt = Date()
        try await store.append(TaskEvent(taskID: id, kind: .state, state: task.state, percent: task.percent, message: task.message,
                                         attempt: task.attempt))
        try await store.update(task)
        return task
    }

    // MARK: stopping

    public enum CancelOutcome: Sendable, Equatable {
        case removed(DeployTask)
        case stopping(DeployTask)
        case alreadyFinal(DeployTask)
        case notFound
    }

    /// A queued task ends `cancelled` at once; a running one is cancelled (it stops at the engine's next safe
    /// point and ends `cancelled`).
    public func cancel(_ id: String, by who: String) async throws -> CancelOutcome {
        guard var task = try await store.task(id) else { return .notFound }
        switch task.state {
        case .queued:
            task.state = .cancelled
            task.finishedAt = Date()
            task.message = "cancelled by \(who) before it ran"
            do {
                try await store.append(TaskEvent(taskID: id, kind: .state, state: .cancelled, message: task.message,
                                                 attempt: shared == nil ? nil : task.attempt ?? 0))
                try await store.update(task)
            } catch let error as StoreError where error.code == .fenced {
                // Another daemon claimed it meanwhile: it runs there.
                return .alreadyFinal(try await store.task(id) ?? task)
            }
            dirty = true
            return .removed(task)
        case .running:
            guard running[id] != nil else {
                // Another daemon runs it (a shared store): it stops the run when it next renews the lease.
                guard let shared, try await shared.requestCancel(id, by: who) else { return .alreadyFinal(task) }
                try await store.append(TaskEvent(taskID: id, kind: .state, state: .running,
                                                 message: "cancel requested by \(who); the daemon running it stops at its next lease renewal"))
                return .stopping(task)
            }
            stopReasons[id] = .cancelled(by: who)
            handles[id]?.cancel()
            try await store.append(TaskEvent(taskID: id, kind: .state, state: .running, message: "cancel requested by \(who)"))
            return .stopping(task)
        default:
            return .alreadyFinal(task)
        }
    }

    /// The task ran past its timeout: it ends `failed` now, and its run is cancelled. It keeps its projects
    /// until the run returns.
    func expire(_ id: String, after timeout: Duration) async throws {
        guard let mine = running[id], var task = try await store.task(id), task.state == .running, task.attempt == mine.attempt else { return }
        stopReasons[id] = .timedOut
        handles[id]?.cancel()
        task.state = .failed
        task.finishedAt = Date()
        task.message = "timed out after \(timeout.components.seconds)s; the run was cancelled"
        try await store.append(TaskEvent(taskID: id, kind: .state, state: .failed, message: task.message, attempt: task.attempt))
        try await store.update(task)
    }

    // MARK: leases (shared store)

    /// Renews the lease of a running task; false when the task was taken over (or ended) meanwhile.
    /// Always true with a store of one daemon.
    func renew(_ id: String) async throws -> Bool {
        guard let shared, let attempt = running[id]?.attempt else { return true }
        return try await shared.renew(id, attempt: attempt, lease: lease)
    }

    /// Who asked another daemon to cancel a task this daemon runs (nil: nobody, or a store of one daemon).
    func cancelRequest(_ id: String) async throws -> String? {
        guard let shared, let attempt = running[id]?.attempt, stopReasons[id] == nil else { return nil }
        return try await shared.cancelRequest(id, attempt: attempt)
    }

    /// The lease was lost: the run is cancelled and nothing more is written for it.
    func lose(_ id: String) {
        guard running[id] != nil else { return }
        stopReasons[id] = .lost
        handles[id]?.cancel()
    }

    /// Shutdown: every running task is cancelled and ends `interrupted`, with a fresh deploy queued.
    func interruptAll() {
        for id in running.keys where stopReasons[id] == nil {
            stopReasons[id] = .shutdown
            handles[id]?.cancel()
        }
    }

    var runningCount: Int { running.count }
}
