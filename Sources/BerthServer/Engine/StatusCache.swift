import BerthEngine
import Foundation

/// The read side's status snapshot: `GET /v1/projects[/{p}]` computes the platform's status (a
/// repository load, a container listing and an inspect per replica — tens of milliseconds with 50
/// projects) at most once per `ttl` (an older snapshot is served while one refresh runs), and at once
/// after a task of this daemon has ended (requests then wait for the new one). Concurrent requests share
/// one computation. A change made outside the daemon (`berth apply`, another daemon) shows within
/// `ttl` plus one computation.
actor StatusCache {
    let ttl: Duration
    private var snapshot: (value: [StatusReport.Project], at: ContinuousClock.Instant, generation: Int)?
    private var pending: (task: Task<[StatusReport.Project], any Error>, generation: Int)?

    /// The JSON of the whole snapshot (for tokens that see every project), encoded once per snapshot.
    private var encoded: (at: ContinuousClock.Instant, data: Data)?

    init(ttl: Duration = .seconds(1)) { self.ttl = ttl }

    /// The snapshot's JSON, encoded by `encode` once per snapshot; nil when there is no snapshot of `value`.
    func json(of value: [StatusReport.Project], _ encode: ([StatusReport.Project]) throws -> Data) rethrows -> Data {
        guard let s = snapshot, s.value.count == value.count, s.value.map(\.project) == value.map(\.project) else { return try encode(value) }
        if let e = encoded, e.at == s.at { return e.data }
        let data = try encode(s.value)
        encoded = (s.at, data)
        return data
    }

    func get(generation: Int, _ compute: @escaping @Sendable () async throws -> [StatusReport.Project]) async throws -> [StatusReport.Project] {
        if let s = snapshot, s.generation == generation {
            // Fresh: served. Older than ttl: served while one refresh runs (at most ttl + one computation old).
            if ContinuousClock.now - s.at >= ttl, pending == nil { _ = refresh(generation, compute) }
            return s.value
        }
        if let p = pending, p.generation == generation { return try await p.task.value }
        return try await refresh(generation, compute).value
    }

    private func refresh(_ generation: Int, _ compute: @escaping @Sendable () async throws -> [StatusReport.Project]) -> Task<[StatusReport.Project], any Error> {
        let started = ContinuousClock.now
        let task = Task { try await compute() }
        pending = (task, generation)
        Task { await self.store(task, generation: generation, started: started) }
        return task
    }

    private func store(_ task: Task<[StatusReport.Project], any Error>, generation: Int, started: ContinuousClock.Instant) async {
        let value = try? await task.value  // a failed refresh keeps no snapshot; its caller gets the error
        if pending?.task == task { pending = nil }
        guard let value else { if snapshot?.generation != generation { snapshot = nil }; return }
        if snapshot.map({ $0.at < started }) ?? true { snapshot = (value, started, generation) }
    }
}
