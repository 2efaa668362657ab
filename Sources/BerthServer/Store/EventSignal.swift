import Foundation

/// Wakes the event streams waiting for a new event (the PostgreSQL store's LISTEN connection calls `notifyAll`).
actor EventSignal {
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    private var isListening = false

    /// Returns at the next `notifyAll`, or after `timeout`.
    func wait(timeout: Duration) async {
        let id = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiters[id] = continuation
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.resume(id)
            }
        }
    }

    private func resume(_ id: UUID) { waiters.removeValue(forKey: id)?.resume() }

    func notifyAll() {
        let all = waiters
        waiters = [:]
        for continuation in all.values { continuation.resume() }
    }

    func listening() { isListening = true }

    func waitUntilListening(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isListening {
            guard ContinuousClock.now < deadline else { throw StoreError(.unavailable, "LISTEN \(PostgresTaskStore.channel) did not start") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
