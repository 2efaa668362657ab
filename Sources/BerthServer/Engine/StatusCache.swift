import Foundation

/// The read side's status snapshot: `GET /v1/projects[/{p}]` computes the platform's status (a
/// repository load, a container listing and an inspect per replica — tens of milliseconds with 50
/// projects) at most once per `ttl`, and again as soon as a task of this daemon has ended. Concurrent
/// requests share one computation. A change made outside the daemon (`berth apply`, another daemon)
/// shows within `ttl`.
actor StatusCache {
    let ttl: Duration
    private var snapshot: (value: [ProjectStatusView], at: ContinuousClock.Instant, generation: Int)?
    private var pending: (task: Task<[ProjectStatusView], any Error>, generation: Int)?

    init(ttl: Duration = .seconds(1)) { self.ttl = ttl }

    func get(generation: Int, _ compute: @escaping @Sendable () async throws -> [ProjectStatusView]) async throws -> [ProjectStatusView] {
        if let s = snapshot, s.generation == generation, ContinuousClock.now - s.at < ttl { return s.value }
        if let p = pending, p.generation == generation { return try await p.task.value }
        let started = ContinuousClock.now
        let task = Task { try await compute() }
        pending = (task, generation)
        defer { if pending?.task == task { pending = nil } }
        let value = try await task.value
        if snapshot.map({ $0.at < started }) ?? true { snapshot = (value, started, generation) }
        return value
    }
}
