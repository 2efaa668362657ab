import Foundation
import Synchronization

/// Wakes the tasks waiting for something new: the PostgreSQL store's LISTEN connection calls `notifyAll`
/// for the event streams, the task queue calls it when a task may be claimable.
///
/// A waiter returns at the next `notifyAll`, after its timeout, or when its task is cancelled. A latching
/// signal also remembers a `notifyAll` that found nobody waiting: the next `wait` returns at once (the task
/// queue's single claiming loop must not miss a task queued while it was claiming).
final class EventSignal: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Void, Never>
        var timer: Task<Void, Never>?
    }
    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
        /// Counts `notifyAll` calls: a wait that sees it change before its continuation is stored returns.
        var generation: UInt64 = 0
        var pending = false
        var isListening = false
    }
    private let state = Mutex(State())
    private let latches: Bool

    init(latching: Bool = false) { latches = latching }

    /// Returns at the next `notifyAll`, after `timeout`, or at once when cancelled.
    func wait(timeout: Duration) async {
        let ticket: (id: UInt64, generation: UInt64)? = state.withLock { state in
            if state.pending { state.pending = false; return nil }
            state.nextID += 1
            return (state.nextID, state.generation)
        }
        guard let ticket else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if Task.isCancelled || state.generation != ticket.generation {
                        state.pending = false
                        return true
                    }
                    // The timer starts once the waiter is stored, so its resume always finds it.
                    let timer = Task { [weak self] in
                        do { try await Task.sleep(for: timeout) } catch { return }
                        self?.resume(ticket.id)
                    }
                    state.waiters[ticket.id] = Waiter(continuation: continuation, timer: timer)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            resume(ticket.id)
        }
    }

    private func resume(_ id: UInt64) {
        guard let waiter = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        waiter.timer?.cancel()
        waiter.continuation.resume()
    }

    func notifyAll() {
        let all: [Waiter] = state.withLock { state in
            state.generation &+= 1
            if state.waiters.isEmpty {
                if latches { state.pending = true }
                return []
            }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in all {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }

    /// How many waits are stored (tests wait for their waiters before a non-latching notify).
    var waiting: Int { state.withLock { $0.waiters.count } }

    func listening() { state.withLock { $0.isListening = true } }

    func waitUntilListening(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !state.withLock({ $0.isListening }) {
            guard ContinuousClock.now < deadline else { throw StoreError(.unavailable, "LISTEN \(PostgresTaskStore.channel) did not start") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
